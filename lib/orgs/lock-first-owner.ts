import type { Prisma } from "@/lib/generated/prisma/client";

/**
 * Serialises everything that may create the first org and its owner (bootstrap on
 * several instances, the setup link in several browsers) on one advisory lock, held
 * until the calling transaction ends.
 */
export async function lockFirstOwner(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(7212001)`;
}
