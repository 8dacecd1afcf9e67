// The overview's pictures: leases issued and requests denied per hour (last 24 h) and per
// day (last 7 days), the most-accessed secrets and the most-denied bots (last 7 days).
// Aggregates only (counts and names): no reason or justification is read, so a viewer
// gets them too. "Denied" is every audit event whose outcome is denied, the same
// definition as the overview's count and its list of recent denials.
import type { Db } from "@/lib/db/prisma";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const ISSUED_TYPES = ["lease.granted", "lease.approved"] as const;

export interface Bucket {
  start: Date;
  issued: number;
  denied: number;
}

/** `count` buckets of `stepMs`, the last one holding `now`, aligned to UTC hours/days. */
async function series(db: Db, orgId: string, now: Date, stepMs: number, count: number): Promise<Bucket[]> {
  const lastStart = Math.floor(now.getTime() / stepMs) * stepMs;
  const since = new Date(lastStart - (count - 1) * stepMs);
  const until = new Date(lastStart + stepMs);
  const rows = await db.$queryRaw<{ i: number; issued: number; denied: number }[]>`
    SELECT floor(extract(epoch FROM ("createdAt" - ${since}::timestamp)) * 1000 / ${stepMs})::int AS i,
           (count(*) FILTER (WHERE "type" IN ('lease.granted', 'lease.approved')))::int AS issued,
           (count(*) FILTER (WHERE "outcome" = 'denied'))::int AS denied
      FROM "AuditEvent"
     WHERE "orgId" = ${orgId} AND "createdAt" >= ${since}::timestamp AND "createdAt" < ${until}::timestamp
     GROUP BY 1`;
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({ start: new Date(since.getTime() + i * stepMs), issued: 0, denied: 0 }));
  for (const r of rows) {
    if (r.i >= 0 && r.i < count) Object.assign(buckets[r.i], { issued: Number(r.issued), denied: Number(r.denied) });
  }
  return buckets;
}

export async function getOverviewActivity(db: Db, { orgId, now = new Date() }: { orgId: string; now?: Date }) {
  const weekAgo = new Date(now.getTime() - 7 * DAY_MS);
  const [hourly, daily, resolved, denials] = await Promise.all([
    series(db, orgId, now, HOUR_MS, 24),
    series(db, orgId, now, DAY_MS, 7),
    db.auditEvent.groupBy({
      by: ["secretId", "secretName", "scope"],
      where: { orgId, type: "lease.resolved", outcome: "success", createdAt: { gte: weekAgo } },
      _count: { _all: true },
      orderBy: { _count: { secretName: "desc" } },
      take: 5,
    }),
    db.auditEvent.groupBy({
      by: ["botId"],
      where: { orgId, outcome: "denied", botId: { not: null }, createdAt: { gte: weekAgo } },
      _count: { _all: true },
      orderBy: { _count: { botId: "desc" } },
      take: 5,
    }),
  ]);
  const botIds = denials.map((d) => d.botId).filter((id): id is string => !!id);
  const bots = botIds.length ? await db.bot.findMany({ where: { orgId, id: { in: botIds } }, select: { id: true, name: true } }) : [];
  const names = new Map(bots.map((b) => [b.id, b.name]));
  return {
    hourly,
    daily,
    topSecrets: resolved.map((r) => ({ secretId: r.secretId, name: r.secretName ?? "(unnamed)", scope: r.scope, count: r._count._all })),
    // A deleted bot keeps its id in the trail; its name is gone.
    topDeniedBots: denials.map((d) => ({ botId: d.botId!, name: names.get(d.botId!) ?? null, count: d._count._all })),
  };
}
