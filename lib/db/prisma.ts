// The one database module. Domain functions take a `Db` (client or transaction) so
// routes, scripts and tests share them; the app uses `prisma` from here. Each client
// runs on a pg Pool that the hot paths (lease request and resolve) also use directly,
// for prepared statements without Prisma's per-query cost (see bench/RESULTS.md).
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, Prisma } from "@/lib/generated/prisma/client";
import { isRetryableConflict } from "./sql-state";

export type Db = PrismaClient | Prisma.TransactionClient;
export { Prisma, PrismaClient };

// On the client itself (not a module-level map) so it survives dev-server module reloads.
const POOL = Symbol.for("runtime-vault.pg-pool");

export function createPrismaClient(databaseUrl: string, poolSize = Number(process.env.RV_DB_POOL_SIZE ?? 10)) {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    // Fail fast when PostgreSQL is away instead of letting requests hang.
    connectionTimeoutMillis: 5_000,
  });
  // An idle client whose server went away must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  Object.defineProperty(client, POOL, { value: pool });
  return client;
}

/** The pg Pool under a client made by createPrismaClient, for the hot paths' raw SQL. */
export function sqlPool(db: PrismaClient): pg.Pool {
  // `prisma` below is a proxy; resolve it to the real client first.
  const pool = ((db === prisma ? defaultClient() : db) as unknown as Record<symbol, pg.Pool | undefined>)[POOL];
  if (!pool) throw new Error("this Prisma client was not made by createPrismaClient");
  return pool;
}

const globalForPrisma = globalThis as unknown as { rvPrisma?: PrismaClient };

function defaultClient(): PrismaClient {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (npm start sets it, starting an embedded database when absent)");
  globalForPrisma.rvPrisma ??= createPrismaClient(url);
  return globalForPrisma.rvPrisma;
}

/** Lazily connected so that importing this module never needs a database. */
export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  get: (_target, prop) => Reflect.get(defaultClient(), prop),
});

// A deadlock victim or write conflict was rolled back whole: running it again is safe,
// and is what a client would otherwise have to do.
const RETRIES = 3;

/** Interactive transaction with the options every write path uses, retried on a deadlock or write conflict. */
export async function transaction<T>(db: PrismaClient, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(fn, { maxWait: 5_000, timeout: 15_000 });
    } catch (err) {
      if (!isRetryableConflict(err) || attempt > RETRIES) throw err;
      // A little jitter, so the same two transactions do not meet again at once.
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * attempt));
    }
  }
}
