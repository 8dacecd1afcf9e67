import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { ApiError } from "@/lib/api/errors";
import {
  AUDIT_CURSOR_MISMATCH,
  formatAuditCursor,
  isTimeOrdered,
  parseAuditCursor,
  type AuditCursor,
  type ListAuditQuery,
} from "@/lib/validations/audit";
import { auditEventSelect, presentEvent } from "./present-event";
import { sealForReading } from "./seal-for-reading";

export type ListAuditEventsOptions = Omit<ListAuditQuery, "limit"> & { orgId: string; limit?: number };

export type AuditFilters = Omit<ListAuditEventsOptions, "cursor" | "limit">;

/**
 * `q` as a LIKE pattern that matches the text itself: `%`, `_` and the escape character
 * `\` are escaped (PostgreSQL's default LIKE escape), so q=% finds a percent sign rather
 * than every event.
 */
export function likeLiteral(q: string): string {
  return q.replace(/[\\%_]/g, "\\$&");
}

/**
 * The WHERE clause of the list. The export renders its rows in SQL and states the
 * same conditions in auditWhereSql (export-audit-events.ts); a test holds the two together.
 */
export function auditWhere({ orgId, type, botId, secretId, leaseId, outcome, actorId, q, from, to }: AuditFilters): Prisma.AuditEventWhereInput {
  return {
    orgId,
    ...(type ? { type } : {}),
    ...(botId ? { botId } : {}),
    ...(secretId ? { secretId } : {}),
    ...(leaseId ? { leaseId } : {}),
    ...(outcome ? { outcome } : {}),
    ...(actorId ? { actorId } : {}),
    ...(q ? { justification: { contains: likeLiteral(q), mode: "insensitive" as const } } : {}),
    ...(from || to ? { createdAt: { ...(from ? { gte: new Date(from) } : {}), ...(to ? { lt: new Date(to) } : {}) } } : {}),
  };
}

/** The cursor of a request, checked against the ordering its filters select. */
function readAuditCursor(cursor: string, byTime: boolean): AuditCursor {
  const parsed = parseAuditCursor(cursor);
  if (!parsed) throw new ApiError("validation_failed", "cursor is not one this API returned: pass nextCursor back unchanged");
  if ((parsed.createdAt !== null) !== byTime) throw new ApiError("validation_failed", AUDIT_CURSOR_MISMATCH);
  return parsed;
}

/** Events strictly after `cursor` in the page order. */
function afterCursor({ seq, createdAt }: AuditCursor): Prisma.AuditEventWhereInput {
  if (!createdAt) return { seq: { lt: seq } };
  // (createdAt, seq) < (c, s), written so that `createdAt <= c` bounds the index scan.
  return { createdAt: { lte: createdAt }, OR: [{ createdAt: { lt: createdAt } }, { seq: { lt: seq } }] };
}

/**
 * Newest first, keyset-paginated so page N costs the same as page 1: by seq, or by
 * (createdAt, seq) when a time range is given, so that the ("orgId", "createdAt" DESC,
 * seq DESC) index reads just the window (walking seq back would read every newer
 * event first). createdAt is stamped just before the event takes its seq, so the two
 * orders can differ by a few milliseconds; (createdAt, seq) is still a total order.
 */
export async function listAuditEvents(db: Db, { cursor, limit = 100, ...filters }: ListAuditEventsOptions) {
  // The first page only: later pages continue from a cursor into what was sealed then.
  if (!cursor) await sealForReading(db, filters.orgId);
  const byTime = isTimeOrdered(filters);
  const where: Prisma.AuditEventWhereInput = cursor ? { AND: [auditWhere(filters), afterCursor(readAuditCursor(cursor, byTime))] } : auditWhere(filters);
  const rows = await db.auditEvent.findMany({
    where,
    select: auditEventSelect,
    orderBy: byTime ? [{ createdAt: "desc" }, { seq: "desc" }] : { seq: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit ? formatAuditCursor({ seq: last.seq, createdAt: byTime ? last.createdAt : null }) : null;
  return { events: page.map(presentEvent), nextCursor };
}
