import type { Db } from "@/lib/db/prisma";
import { grantSelect } from "./select";

export async function listGrants(db: Db, { orgId, botId, secretId }: { orgId: string; botId?: string; secretId?: string }) {
  return db.grant.findMany({
    where: { orgId, ...(botId ? { botId } : {}), ...(secretId ? { secretId } : {}) },
    select: grantSelect,
    orderBy: { createdAt: "asc" },
  });
}
