// The other side of a blast radius: every secret a bot can lease (its grants, with the
// mount a grant is limited to), how many it holds now and when it last read each.
import type { Db } from "@/lib/db/prisma";

export async function listBotSecrets(db: Db, { orgId, botId, now = new Date() }: { orgId: string; botId: string; now?: Date }) {
  const [grants, history, active] = await Promise.all([
    db.grant.findMany({
      where: { orgId, botId },
      select: {
        id: true, secretId: true, maxTtlSeconds: true, singleUseOnly: true, revealToAgent: true, createdAt: true,
        secret: { select: { name: true, scope: true } },
        mount: { select: { name: true } },
      },
      orderBy: { createdAt: "asc" },
    }),
    db.lease.groupBy({ by: ["secretId"], where: { orgId, botId, secretId: { not: null } }, _max: { lastResolvedAt: true } }),
    db.lease.groupBy({ by: ["secretId"], where: { orgId, botId, status: "active", expiresAt: { gt: now } }, _count: { _all: true } }),
  ]);
  const lastRead = new Map(history.map((h) => [h.secretId, h._max.lastResolvedAt]));
  const held = new Map(active.map((a) => [a.secretId, a._count._all]));
  return grants.map(({ mount, ...g }) => ({
    ...g,
    mount: mount?.name ?? null,
    activeLeases: held.get(g.secretId) ?? 0,
    lastResolvedAt: lastRead.get(g.secretId) ?? null,
  }));
}
