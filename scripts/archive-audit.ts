// `npm run audit:archive -- --before YYYY-MM --out FILE`: writes every whole month of
// audit events before that month to one signed archive file, verifies it, and drops
// those months' partitions (lib/audit/archive/archive-audit-partitions.ts).
//   RV_MASTER_KEY (or RV_MASTER_KEY_FILE)  signs the file and the archive bases
//   DATABASE_URL                           the database; unset means the embedded one in
//                                          RV_DATA_DIR (through a running `npm start`'s socket)
//   RV_AUDIT_ANCHOR_FILE                   the anchor each chain is checked against first
//                                          (default: audit-anchor.jsonl in RV_DATA_DIR; "off")
import path from "node:path";
import { parseArgs } from "node:util";
import { keyProviderFromEnv, MasterKeyError } from "../lib/crypto/key-provider";
import type { EmbeddedDatabase } from "../lib/db/embedded-database";

const USAGE = "usage: npm run audit:archive -- --before YYYY-MM --out FILE";

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { before: { type: "string" }, out: { type: "string" } }, strict: true }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.before || !values.out) {
    console.error(USAGE);
    return 2;
  }
  const keys = keyProviderFromEnv();
  const { AnchorFile } = await import("../lib/audit/anchor-file");
  const configured = process.env.RV_AUDIT_ANCHOR_FILE;
  const dataDir = path.resolve(process.env.RV_DATA_DIR || ".data");
  const anchor = configured === "off" ? null : new AnchorFile(configured ? path.resolve(configured) : path.join(dataDir, "audit-anchor.jsonl"));

  let embedded: EmbeddedDatabase | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    const { openEmbeddedDatabase } = await import("../lib/db/embedded-database");
    embedded = await openEmbeddedDatabase({ dataDir: path.join(dataDir, "pglite") });
    url = embedded.url;
  }
  const { createPrismaClient } = await import("../lib/db/prisma");
  const { archiveAuditPartitions, ArchiveRefused } = await import("../lib/audit/archive/archive-audit-partitions");
  const db = createPrismaClient(url, 2);
  try {
    const result = await archiveAuditPartitions(db, { before: values.before, out: values.out, keys, anchor, log: (m) => console.log(m) });
    if (!result.file) {
      console.log(`nothing to archive: no month partition before ${values.before}`);
      return 0;
    }
    for (const o of result.orgs) console.log(`  ${o.orgId}: #${o.fromSeq}–#${o.throughSeq} (${o.events} events), chain continues from ${o.hash}`);
    console.log(`archived ${result.events} event(s) of ${result.orgs.length} org(s) to ${result.file}; check it with: runtime-vault audit verify --archive ${result.file}`);
    return 0;
  } catch (err) {
    if (err instanceof ArchiveRefused) {
      console.error(`audit archive refused: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await db.$disconnect();
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof MasterKeyError ? err.message : `audit archive failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
