import { Prisma, type Db } from "@/lib/db/prisma";

export interface UnsealedTail {
  count: number;
  /** Age of the oldest pending event, 0 when there is none. */
  oldestAgeMs: number;
}

/** Events recorded but not yet sealed into the chain: the org's, or every org's. */
export async function unsealedTail(db: Db, { orgId }: { orgId?: string } = {}): Promise<UnsealedTail> {
  const where = orgId ? Prisma.sql`WHERE "orgId" = ${orgId}` : Prisma.empty;
  const [{ count, age }] = await db.$queryRaw<{ count: bigint; age: number | null }[]>`
    SELECT count(*) AS count, EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC') - min("createdAt")) * 1000 AS age
      FROM "AuditPending" ${where}`;
  return { count: Number(count), oldestAgeMs: Math.max(0, Math.round(Number(age ?? 0))) };
}
