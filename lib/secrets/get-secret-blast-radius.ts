// What a leaked secret touches: every bot that can lease it (its grant, the mount the grant
// is limited to, frozen or not), every bot that held it, their active leases and when each
// last read it. Read straight from grants and leases, so it is current to the moment.
import type { Db } from "@/lib/db/prisma";
import { leaseSelect, presentLease } from "@/lib/leases/lease-status";

export interface BlastRadiusBot {
  botId: string;
  botName: string;
  frozen: boolean;
  /** Null: no grant any more (the bot held leases before). */
  grant: { id: string; maxTtlSeconds: number | null; singleUseOnly: boolean; mount: string | null } | null;
  /** Can request a new lease now: granted and not frozen. */
  canLease: boolean;
  activeLeases: number;
  lastLeasedAt: Date | null;
  lastResolvedAt: Date | null;
}

export async function getSecretBlastRadius(db: Db, { orgId, secretId, now = new Date() }: { orgId: string; secretId: string; now?: Date }) {
  const active = { orgId, secretId, status: "active" as const, expiresAt: { gt: now } };
  const [grants, history, activeLeases] = await Promise.all([
    db.grant.findMany({
      where: { orgId, secretId },
      select: { id: true, botId: true, maxTtlSeconds: true, singleUseOnly: true, mount: { select: { name: true } } },
    }),
    db.lease.groupBy({ by: ["botId"], where: { orgId, secretId }, _max: { createdAt: true, lastResolvedAt: true } }),
    db.lease.findMany({ where: active, select: leaseSelect, orderBy: { createdAt: "desc" }, take: 200 }),
  ]);
  const activeCounts = await db.lease.groupBy({ by: ["botId"], where: active, _count: { _all: true } });
  const botIds = [...new Set([...grants.map((g) => g.botId), ...history.map((h) => h.botId)])];
  const bots = botIds.length ? await db.bot.findMany({ where: { orgId, id: { in: botIds } }, select: { id: true, name: true, frozenAt: true } }) : [];
  const grantByBot = new Map(grants.map((g) => [g.botId, g]));
  const historyByBot = new Map(history.map((h) => [h.botId, h._max]));
  const activeByBot = new Map(activeCounts.map((c) => [c.botId, c._count._all]));
  const rows: BlastRadiusBot[] = bots.map((b) => {
    const g = grantByBot.get(b.id);
    const h = historyByBot.get(b.id);
    return {
      botId: b.id,
      botName: b.name,
      frozen: b.frozenAt !== null,
      grant: g ? { id: g.id, maxTtlSeconds: g.maxTtlSeconds, singleUseOnly: g.singleUseOnly, mount: g.mount?.name ?? null } : null,
      canLease: !!g && b.frozenAt === null,
      activeLeases: activeByBot.get(b.id) ?? 0,
      lastLeasedAt: h?.createdAt ?? null,
      lastResolvedAt: h?.lastResolvedAt ?? null,
    };
  });
  // Who can lease it first, then who holds it now, then by name.
  rows.sort((a, b) => Number(b.canLease) - Number(a.canLease) || b.activeLeases - a.activeLeases || a.botName.localeCompare(b.botName));
  const names = new Map(bots.map((b) => [b.id, b.name]));
  return {
    bots: rows,
    activeLeases: activeLeases.map((l) => ({ ...presentLease(l, now), botName: names.get(l.botId) ?? "(deleted bot)" })),
    activeLeaseCount: activeCounts.reduce((n, c) => n + c._count._all, 0),
  };
}
