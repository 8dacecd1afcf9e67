// The bots list: one page of bots with the total, searchable by name, in any sortable
// column's order, with when each was last used (its latest lease request or resolve).
import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { field, keysetPage, type SortKey } from "@/lib/paging/keyset";
import type { BotPageQuery } from "@/lib/validations/bot";
import { botSelect } from "./select";

type Row = Prisma.BotGetPayload<{ select: typeof botSelect }>;

const keys: Record<BotPageQuery["sort"], SortKey<Row>> = {
  name: field("name"),
  environment: field("environment"),
  createdAt: field("createdAt"),
};

export type ListBotsPageOptions = { orgId: string } & Partial<BotPageQuery>;

export async function listBotsPage(db: Db, { orgId, q, cursor, limit = 50, sort = "name", direction = "asc" }: ListBotsPageOptions) {
  const where: Prisma.BotWhereInput = { orgId, ...(q ? { name: { contains: q, mode: "insensitive" } } : {}) };
  const page = await keysetPage<Row, Prisma.BotWhereInput>({
    where,
    key: keys[sort],
    direction,
    cursor,
    limit,
    find: (args) => db.bot.findMany({ ...args, select: botSelect }),
    count: (args) => db.bot.count(args),
    id: (r) => r.id,
  });
  const ids = page.rows.map((r) => r.id);
  const now = new Date();
  const [grants, active, usage] = await Promise.all([
    db.grant.groupBy({ by: ["botId"], where: { orgId, botId: { in: ids } }, _count: { _all: true } }),
    db.lease.groupBy({ by: ["botId"], where: { orgId, botId: { in: ids }, status: "active", expiresAt: { gt: now } }, _count: { _all: true } }),
    db.lease.groupBy({ by: ["botId"], where: { orgId, botId: { in: ids } }, _max: { createdAt: true, lastResolvedAt: true } }),
  ]);
  const grantCount = new Map(grants.map((g) => [g.botId, g._count._all]));
  const activeCount = new Map(active.map((l) => [l.botId, l._count._all]));
  const lastUsed = new Map(usage.map((u) => [u.botId, latest(u._max.createdAt, u._max.lastResolvedAt)]));
  return {
    ...page,
    rows: page.rows.map((b) => ({
      ...b,
      frozen: b.frozenAt !== null,
      grantCount: grantCount.get(b.id) ?? 0,
      activeLeaseCount: activeCount.get(b.id) ?? 0,
      lastUsedAt: lastUsed.get(b.id) ?? null,
    })),
  };
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}
