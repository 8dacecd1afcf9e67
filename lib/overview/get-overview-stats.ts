// The numbers on the overview page. Each is one indexed query; nothing is cached,
// so the page reflects a revoke or a freeze the moment it happens.
import type { Db } from "@/lib/db/prisma";
import { auditEventSelect, presentEvent } from "@/lib/audit/present-event";
import { can } from "@/lib/auth/roles";
import type { Role } from "@/lib/generated/prisma/enums";

const DAY_MS = 24 * 60 * 60 * 1000;
const DENIAL_TYPES = ["lease.denied", "lease.rejected", "lease.resolve_denied"];

/**
 * `role` decides what may be read: recent denials are audit events (with reasons),
 * so a role without audit:read gets null there and the query is not even run.
 */
export async function getOverviewStats(db: Db, { orgId, role, now = new Date() }: { orgId: string; role: Role; now?: Date }) {
  const since = new Date(now.getTime() - DAY_MS);
  const policy = await db.policy.findUniqueOrThrow({ where: { orgId }, select: { rotationPeriodDays: true } });
  const rotationCutoff = new Date(now.getTime() - policy.rotationPeriodDays * DAY_MS);
  const [activeLeases, pendingApprovals, issued24h, denied24h, dueForRotation, frozenBots, recentDenials] = await Promise.all([
    db.lease.count({ where: { orgId, status: "active", expiresAt: { gt: now } } }),
    db.lease.count({ where: { orgId, status: "pending", expiresAt: { gt: now } } }),
    db.auditEvent.count({ where: { orgId, type: { in: ["lease.granted", "lease.approved"] }, createdAt: { gte: since } } }),
    db.auditEvent.count({ where: { orgId, type: { in: DENIAL_TYPES }, outcome: "denied", createdAt: { gte: since } } }),
    db.secret.findMany({
      where: { orgId, rotatedAt: { lt: rotationCutoff } },
      select: { id: true, name: true, scope: true, rotatedAt: true },
      orderBy: { rotatedAt: "asc" },
      take: 20,
    }),
    db.bot.findMany({ where: { orgId, frozenAt: { not: null } }, select: { id: true, name: true, frozenAt: true }, orderBy: { frozenAt: "desc" }, take: 20 }),
    can(role, "audit:read") ? db.auditEvent.findMany({ where: { orgId, outcome: "denied" }, select: auditEventSelect, orderBy: { seq: "desc" }, take: 10 }) : null,
  ]);
  return {
    activeLeases,
    pendingApprovals,
    issued24h,
    denied24h,
    rotationPeriodDays: policy.rotationPeriodDays,
    dueForRotation,
    frozenBots,
    recentDenials: recentDenials?.map(presentEvent) ?? null,
  };
}
