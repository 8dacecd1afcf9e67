// The one Prisma client module. Domain functions take a `Db` (client or transaction)
// so routes, scripts and tests share them; the app uses `prisma` from here.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, Prisma } from "@/lib/generated/prisma/client";

export type Db = PrismaClient | Prisma.TransactionClient;
export { Prisma, PrismaClient };

export function createPrismaClient(databaseUrl: string, poolSize = Number(process.env.RV_DB_POOL_SIZE ?? 10)) {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: poolSize,
    // Fail fast when PostgreSQL is away instead of letting requests hang.
    connectionTimeoutMillis: 5_000,
  });
  return new PrismaClient({ adapter });
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

/** Interactive transaction with the options every write path uses. */
export function transaction<T>(db: PrismaClient, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return db.$transaction(fn, { maxWait: 5_000, timeout: 15_000 });
}
