import type { Db } from "@/lib/db/prisma";
import { auditEventSelect, presentEvent } from "@/lib/audit/present-event";

/**
 * Oldest first, strictly after `after`. Appends to one org's chain are serialised
 * by its head lock, so within an org seq order is commit order: reading by seq
 * never skips an event that commits later with a smaller seq.
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

/** Where a fresh subscriber starts: the org's newest event (0 when it has none). */
export async function latestEventSeq(db: Db, { orgId }: { orgId: string }): Promise<bigint> {
  const head = await db.auditHead.findUnique({ where: { orgId }, select: { lastSeq: true } });
  return head?.lastSeq ?? 0n;
}
