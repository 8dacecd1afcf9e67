// "Who accessed this secret, when, why, from where" for one secret over a period: its
// lease events with bot names and member emails, each event's justification (the
// lease's, for events recorded before resolves carried it), mount and MCP tool.
import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { ACCESS_EVENT_TYPES } from "./event-types";
import { auditEventSelect } from "./present-event";
import { sealForReading } from "./seal-for-reading";
import { csvCell } from "./export-audit-events";

export interface ListSecretAccessOptions {
  orgId: string;
  secretId: string;
  from: Date;
  to: Date;
  /** Most rows returned (newest first); `truncated` says when there were more. */
  limit?: number;
}

export interface SecretAccessRow {
  seq: number;
  id: string;
  createdAt: Date;
  type: string;
  outcome: string;
  botId: string | null;
  botName: string | null;
  /** Who acted: a bot's name, a member's email, or "system". */
  actor: string;
  leaseId: string | null;
  justification: string | null;
  mount: string | null;
  tool: string | null;
  ip: string | null;
  secretVersion: number | null;
  reason: string | null;
}

export interface BotAccessSummary {
  botId: string;
  botName: string | null;
  leases: number;
  resolves: number;
  denials: number;
  lastResolvedAt: Date | null;
}

const DENIALS = new Set(["lease.denied", "lease.resolve_denied", "lease.rejected"]);

function dataField(data: Prisma.JsonValue | null, key: string): string | null {
  if (!data || typeof data !== "object" || Array.isArray(data)) return null;
  const v = (data as Record<string, unknown>)[key];
  return typeof v === "string" ? v : null;
}

export async function listSecretAccess(db: Db, { orgId, secretId, from, to, limit = 500 }: ListSecretAccessOptions) {
  await sealForReading(db, orgId);
  const where: Prisma.AuditEventWhereInput = { orgId, secretId, type: { in: [...ACCESS_EVENT_TYPES] }, createdAt: { gte: from, lt: to } };
  const [events, groups] = await Promise.all([
    db.auditEvent.findMany({ where, select: auditEventSelect, orderBy: [{ createdAt: "desc" }, { seq: "desc" }], take: limit + 1 }),
    db.auditEvent.groupBy({ by: ["botId", "type"], where: { ...where, botId: { not: null } }, _count: { _all: true }, _max: { createdAt: true } }),
  ]);
  const page = events.slice(0, limit);
  const leaseIds = [...new Set(page.flatMap((e) => (e.leaseId ? [e.leaseId] : [])))];
  const botIds = [...new Set([...page.flatMap((e) => [e.botId, e.actorType === "bot" ? e.actorId : null]), ...groups.map((g) => g.botId)].filter((id): id is string => !!id))];
  const userIds = [...new Set(page.flatMap((e) => (e.actorType === "user" && e.actorId ? [e.actorId] : [])))];
  const [leases, bots, users] = await Promise.all([
    leaseIds.length ? db.lease.findMany({ where: { orgId, id: { in: leaseIds } }, select: { id: true, justification: true, mount: true, tool: true } }) : [],
    botIds.length ? db.bot.findMany({ where: { orgId, id: { in: botIds } }, select: { id: true, name: true } }) : [],
    userIds.length ? db.user.findMany({ where: { orgId, id: { in: userIds } }, select: { id: true, email: true } }) : [],
  ]);
  const leaseById = new Map(leases.map((l) => [l.id, l]));
  const names = new Map<string, string>([...bots.map((b) => [b.id, b.name] as const), ...users.map((u) => [u.id, u.email] as const)]);

  const rows: SecretAccessRow[] = page.map((e) => {
    const lease = e.leaseId ? leaseById.get(e.leaseId) : undefined;
    const actor = !e.actorId ? e.actorType : e.actorType === "bot" ? (names.get(e.actorId) ?? "(deleted bot)") : e.actorType === "user" ? (names.get(e.actorId) ?? "(removed member)") : e.actorType;
    return {
      seq: Number(e.seq),
      id: e.id,
      createdAt: e.createdAt,
      type: e.type,
      outcome: e.outcome,
      botId: e.botId,
      botName: e.botId ? (names.get(e.botId) ?? null) : null,
      actor,
      leaseId: e.leaseId,
      justification: e.justification ?? lease?.justification ?? null,
      mount: dataField(e.data, "mount") ?? lease?.mount ?? null,
      tool: dataField(e.data, "tool") ?? lease?.tool ?? null,
      ip: e.ip,
      secretVersion: e.secretVersion,
      reason: e.reason,
    };
  });

  const byBot = new Map<string, BotAccessSummary>();
  for (const g of groups) {
    const botId = g.botId!;
    const s = byBot.get(botId) ?? { botId, botName: names.get(botId) ?? null, leases: 0, resolves: 0, denials: 0, lastResolvedAt: null };
    if (g.type === "lease.granted" || g.type === "lease.requested") s.leases += g._count._all;
    if (g.type === "lease.resolved") {
      s.resolves += g._count._all;
      s.lastResolvedAt = g._max.createdAt;
    }
    if (DENIALS.has(g.type)) s.denials += g._count._all;
    byBot.set(botId, s);
  }
  const bySummary = [...byBot.values()].sort((a, b) => (b.lastResolvedAt?.getTime() ?? 0) - (a.lastResolvedAt?.getTime() ?? 0) || b.leases - a.leases);
  return { rows, truncated: events.length > limit, bots: bySummary };
}

export const SECRET_ACCESS_CSV_COLUMNS = [
  "createdAt", "type", "outcome", "botName", "botId", "actor", "justification", "mount", "tool", "ip", "secretVersion", "leaseId", "reason", "seq",
] as const satisfies readonly (keyof SecretAccessRow)[];

/** The rows as CSV (RFC 4180, formula cells defused like the audit export). */
export function secretAccessCsv(rows: SecretAccessRow[]): string {
  const lines = [SECRET_ACCESS_CSV_COLUMNS.join(",")];
  for (const r of rows) lines.push(SECRET_ACCESS_CSV_COLUMNS.map((c) => csvCell(r[c])).join(","));
  return lines.join("\r\n") + "\r\n";
}
