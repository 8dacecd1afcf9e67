import type { Db } from "@/lib/db/prisma";
import { mountSelect, presentMount } from "./select";

export async function listMounts(db: Db, { orgId, botId }: { orgId: string; botId?: string }) {
  const rows = await db.mount.findMany({
    where: { orgId, ...(botId ? { botId } : {}) },
    select: { ...mountSelect, _count: { select: { grants: true } } },
    orderBy: { name: "asc" },
  });
  return rows.map(({ _count, ...m }) => ({ ...presentMount(m), grantCount: _count.grants }));
}
