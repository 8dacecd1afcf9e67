import type { Db } from "@/lib/db/prisma";
import { auditEventSelect, presentEvent } from "@/lib/audit/present-event";

/**
 * Oldest first, strictly after `after`. Only sealed events have a seq, and the sealer
 * hands them out in order under the org's lock, in the same transaction that makes them
 * visible: reading by seq never skips an event that appears later with a smaller seq.
 */
export async function readEventsAfter(db: Db, { orgId, after, limit = 500 }: { orgId: string; after: bigint; limit?: number }) {
  const rows = await db.auditEvent.findMany({
    where: { orgId, seq: { gt: after } },
    select: auditEventSelect,
    orderBy: { seq: "asc" },
    take: limit,
  });
  return rows.map(presentEvent);
}

/** Where a fresh subscriber starts: the org's newest sealed event (0 when it has none). */
export async function latestEventSeq(db: Db, { orgId }: { orgId: string }): Promise<bigint> {
  const newest = await db.auditEvent.findFirst({ where: { orgId }, select: { seq: true }, orderBy: { seq: "desc" } });
  return newest?.seq ?? 0n;
}
