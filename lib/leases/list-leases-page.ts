// The admin leases list: one page of leases with the total, in any sortable column's
// order (keyset paging, lib/paging/keyset.ts). Metadata only: no token hash.
import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { LeaseStatus } from "@/lib/generated/prisma/enums";
import { enumField, field, keysetPage, related, type SortKey } from "@/lib/paging/keyset";
import type { LeasePageQuery } from "@/lib/validations/lease";
import { leaseSelect, presentLease } from "./lease-status";

const select = { ...leaseSelect, bot: { select: { name: true } } } as const satisfies Prisma.LeaseSelect;

type Row = Prisma.LeaseGetPayload<{ select: typeof select }>;

const keys: Record<LeasePageQuery["sort"], SortKey<Row>> = {
  createdAt: field("createdAt"),
  expiresAt: field("expiresAt"),
  status: enumField("status", Object.values(LeaseStatus)),
  secretName: field("secretName"),
  scope: field("scope"),
  resolveCount: field("resolveCount"),
  botName: related("bot", "name", (r) => r.bot.name),
};

export type ListLeasesPageOptions = { orgId: string; now?: Date } & Partial<LeasePageQuery>;

export async function listLeasesPage(db: Db, { orgId, status, botId, secretId, scope, cursor, limit = 50, sort = "createdAt", direction = "desc", now = new Date() }: ListLeasesPageOptions) {
  const where: Prisma.LeaseWhereInput = { orgId, ...(botId ? { botId } : {}), ...(secretId ? { secretId } : {}), ...(scope ? { scope } : {}) };
  if (status === "active") Object.assign(where, { status: "active", expiresAt: { gt: now } });
  else if (status === "expired") Object.assign(where, { status: "active", expiresAt: { lte: now } });
  else if (status) where.status = status;
  const page = await keysetPage<Row, Prisma.LeaseWhereInput>({
    where,
    key: keys[sort],
    direction,
    cursor,
    limit,
    find: (args) => db.lease.findMany({ ...args, select }),
    count: (args) => db.lease.count(args),
    id: (r) => r.id,
  });
  return { ...page, rows: page.rows.map(({ bot, ...l }) => ({ ...presentLease(l, now), botName: bot.name })) };
}
