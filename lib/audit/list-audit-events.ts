import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { ListAuditQuery } from "@/lib/validations/audit";
import { auditEventSelect, presentEvent } from "./present-event";

export type ListAuditEventsOptions = Omit<ListAuditQuery, "limit"> & { orgId: string; limit?: number };

/** Newest first, keyset-paginated on seq so page N costs the same as page 1. */
export async function listAuditEvents(db: Db, { orgId, type, botId, secretId, leaseId, outcome, from, to, cursor, limit = 100 }: ListAuditEventsOptions) {
  const where: Prisma.AuditEventWhereInput = {
    orgId,
    ...(type ? { type } : {}),
    ...(botId ? { botId } : {}),
    ...(secretId ? { secretId } : {}),
    ...(leaseId ? { leaseId } : {}),
    ...(outcome ? { outcome } : {}),
    ...(from || to ? { createdAt: { ...(from ? { gte: new Date(from) } : {}), ...(to ? { lt: new Date(to) } : {}) } } : {}),
    ...(cursor ? { seq: { lt: BigInt(cursor) } } : {}),
  };
  const rows = await db.auditEvent.findMany({ where, select: auditEventSelect, orderBy: { seq: "desc" }, take: limit + 1 });
  const page = rows.slice(0, limit).map(presentEvent);
  return { events: page, nextCursor: rows.length > limit ? String(page[page.length - 1].seq) : null };
}
