// `npm run key:rewrap`: moves every data key onto the current master key.
//   RV_MASTER_KEY (or RV_MASTER_KEY_FILE)  the new key
//   RV_PREVIOUS_MASTER_KEYS                the old key(s), comma-separated
//   DATABASE_URL                           the database; unset means the embedded one in
//                                          RV_DATA_DIR (through a running `npm start`'s socket)
import path from "node:path";
import { keyProviderFromEnv, MasterKeyError } from "../lib/crypto/key-provider";
import type { EmbeddedDatabase } from "../lib/db/embedded-database";

async function main() {
  const keys = keyProviderFromEnv();
  let embedded: EmbeddedDatabase | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    const { openEmbeddedDatabase } = await import("../lib/db/embedded-database");
    embedded = await openEmbeddedDatabase({ dataDir: path.join(path.resolve(process.env.RV_DATA_DIR || ".data"), "pglite") });
    url = embedded.url;
  }
  const { createPrismaClient } = await import("../lib/db/prisma");
  const { rewrapDataKeys } = await import("../lib/keys/rewrap-data-keys");
  const { resignAuditCheckpoints } = await import("../lib/audit/resign-audit-checkpoints");
  const { resignArchiveBases } = await import("../lib/audit/archive/resign-archive-bases");
  const db = createPrismaClient(url, 2);
  try {
    const { rewrapped, alreadyCurrent } = await rewrapDataKeys(db, keys);
    console.log(`rewrapped ${rewrapped} data key(s) under ${keys.currentKeyId}; ${alreadyCurrent} already were`);
    const { resigned, invalid } = await resignAuditCheckpoints(db, keys);
    console.log(`re-signed ${resigned} audit checkpoint(s) under ${keys.currentKeyId}`);
    if (invalid.length > 0) {
      console.error(`audit checkpoints with signatures no configured key accepts (investigate): ${invalid.join(", ")}`);
      process.exitCode = 1;
    }
    const bases = await resignArchiveBases(db, keys);
    console.log(`re-signed ${bases.resigned} audit archive base(s) under ${keys.currentKeyId}`);
    if (bases.invalid.length > 0) {
      console.error(`audit archive bases with signatures no configured key accepts (investigate): ${bases.invalid.join(", ")}`);
      process.exitCode = 1;
    }
  } finally {
    await db.$disconnect();
    await embedded?.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof MasterKeyError ? err.message : `key rewrap failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
