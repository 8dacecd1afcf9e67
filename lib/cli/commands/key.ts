// runtime-vault key rewrap — operator command on the vault host: moves every data key
// onto the current master key (RV_MASTER_KEY, old ones in RV_PREVIOUS_MASTER_KEYS),
// talking to the database (DATABASE_URL) directly rather than through the API.
import { parse } from "../args";
import { CliError, UsageError } from "../errors";
import { info, printJson } from "../output";

export async function keyCommand([sub, ...argv]: string[]): Promise<number> {
  if (sub !== "rewrap") throw new UsageError(sub ? `Unknown command: key ${sub}` : "key needs a subcommand: rewrap");
  const { values } = parse(argv, {}, { max: 0 });
  const url = process.env.DATABASE_URL;
  if (!url) throw new CliError("key rewrap runs on the vault host: set DATABASE_URL (and RV_MASTER_KEY, RV_PREVIOUS_MASTER_KEYS); for the embedded database use `npm run key:rewrap`");
  const { keyProviderFromEnv, MasterKeyError } = await import("../../crypto/key-provider");
  const { createPrismaClient } = await import("../../db/prisma");
  const { rewrapDataKeys } = await import("../../keys/rewrap-data-keys");
  let keys;
  try {
    keys = keyProviderFromEnv();
  } catch (err) {
    if (err instanceof MasterKeyError) throw new CliError(err.message);
    throw err;
  }
  const db = createPrismaClient(url, 2);
  try {
    const result = await rewrapDataKeys(db, keys);
    if (values.json) printJson({ ...result, keyId: keys.currentKeyId });
    else info(`rewrapped ${result.rewrapped} data key(s) under ${keys.currentKeyId}; ${result.alreadyCurrent} already were`);
    return 0;
  } catch (err) {
    if (err instanceof MasterKeyError) throw new CliError(err.message);
    throw err;
  } finally {
    await db.$disconnect();
  }
}
