import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { ListAuditQuery } from "@/lib/validations/audit";
import { auditEventSelect, presentEvent } from "./present-event";

export type ListAuditEventsOptions = Omit<ListAuditQuery, "limit"> & { orgId: string; limit?: number };

export type AuditFilters = Omit<ListAuditEventsOptions, "cursor" | "limit">;

/** The WHERE clause shared by the list and the export, so both see the same events. */
export function auditWhere({ orgId, type, botId, secretId, leaseId, outcome, actorId, q, from, to }: AuditFilters): Prisma.AuditEventWhereInput {
  return {
    orgId,
    ...(type ? { type } : {}),
    ...(botId ? { botId } : {}),
    ...(secretId ? { secretId } : {}),
    ...(leaseId ? { leaseId } : {}),
    ...(outcome ? { outcome } : {}),
    ...(actorId ? { actorId } : {}),
    ...(q ? { justification: { contains: q, mode: "insensitive" as const } } : {}),
    ...(from || to ? { createdAt: { ...(from ? { gte: new Date(from) } : {}), ...(to ? { lt: new Date(to) } : {}) } } : {}),
  };
}

/** Newest first, keyset-paginated on seq so page N costs the same as page 1. */
export async function listAuditEvents(db: Db, { cursor, limit = 100, ...filters }: ListAuditEventsOptions) {
  const where: Prisma.AuditEventWhereInput = { ...auditWhere(filters), ...(cursor ? { seq: { lt: BigInt(cursor) } } : {}) };
  const rows = await db.auditEvent.findMany({ where, select: auditEventSelect, orderBy: { seq: "desc" }, take: limit + 1 });
  const page = rows.slice(0, limit).map(presentEvent);
  return { events: page, nextCursor: rows.length > limit ? String(page[page.length - 1].seq) : null };
}
