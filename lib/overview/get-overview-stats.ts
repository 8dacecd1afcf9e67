// The numbers on the overview page. Each is one indexed query; nothing is cached,
// so the page reflects a revoke or a freeze the moment it happens.
import type { Db } from "@/lib/db/prisma";
import { auditEventSelect, presentEvent } from "@/lib/audit/present-event";
import { can } from "@/lib/auth/roles";
import type { Role } from "@/lib/generated/prisma/enums";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * "Denied (24 h)" and the list of recent denials read the same events: every audit event
 * of the last 24 hours whose outcome is denied (the list used to take any denial ever and
 * the count only three lease types, so they disagreed).
 *
 * `role` decides what may be read: recent denials are audit events (with reasons),
 * so a role without audit:read gets null there and the query is not even run.
 */
export async function getOverviewStats(db: Db, { orgId, role, now = new Date() }: { orgId: string; role: Role; now?: Date }) {
  const since = new Date(now.getTime() - DAY_MS);
  const policy = await db.policy.findUniqueOrThrow({ where: { orgId }, select: { rotationPeriodDays: true } });
  const rotationCutoff = new Date(now.getTime() - policy.rotationPeriodDays * DAY_MS);
  const denied = { orgId, outcome: "denied", createdAt: { gte: since } } as const;
  const [activeLeases, pendingApprovals, issued24h, denied24h, secretCount, dueForRotation, frozenBots, recentDenials] = await Promise.all([
    db.lease.count({ where: { orgId, status: "active", expiresAt: { gt: now } } }),
    db.lease.count({ where: { orgId, status: "pending", expiresAt: { gt: now } } }),
    db.auditEvent.count({ where: { orgId, type: { in: ["lease.granted", "lease.approved"] }, createdAt: { gte: since } } }),
    db.auditEvent.count({ where: denied }),
    db.secret.count({ where: { orgId } }),
    db.secret.findMany({
      where: { orgId, rotatedAt: { lt: rotationCutoff } },
      select: { id: true, name: true, scope: true, rotatedAt: true },
      orderBy: { rotatedAt: "asc" },
      take: 20,
    }),
    db.bot.findMany({ where: { orgId, frozenAt: { not: null } }, select: { id: true, name: true, frozenAt: true }, orderBy: { frozenAt: "desc" }, take: 20 }),
    can(role, "audit:read") ? db.auditEvent.findMany({ where: denied, select: auditEventSelect, orderBy: { seq: "desc" }, take: 10 }) : null,
  ]);
  // Denials name the bot, not only its id.
  const botIds = [...new Set((recentDenials ?? []).map((e) => e.botId).filter((id): id is string => !!id))];
  const bots = botIds.length ? await db.bot.findMany({ where: { orgId, id: { in: botIds } }, select: { id: true, name: true } }) : [];
  const botNames = new Map(bots.map((b) => [b.id, b.name]));
  return {
    activeLeases,
    pendingApprovals,
    issued24h,
    denied24h,
    since,
    secretCount,
    rotationPeriodDays: policy.rotationPeriodDays,
    dueForRotation,
    frozenBots,
    recentDenials: recentDenials?.map((e) => ({ ...presentEvent(e), botName: e.botId ? (botNames.get(e.botId) ?? null) : null })) ?? null,
  };
}
