import type { Db } from "@/lib/db/prisma";
import { botSelect } from "./select";

export async function listBots(db: Db, { orgId }: { orgId: string }) {
  const rows = await db.bot.findMany({
    where: { orgId },
    select: {
      ...botSelect,
      _count: { select: { grants: true, leases: { where: { status: "active", expiresAt: { gt: new Date() } } } } },
    },
    orderBy: { name: "asc" },
  });
  return rows.map(({ _count, ...b }) => ({ ...b, frozen: b.frozenAt !== null, grantCount: _count.grants, activeLeaseCount: _count.leases }));
}
