import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { leaseSelect, presentLease, type EffectiveLeaseStatus } from "./lease-status";

export interface ListLeasesOptions {
  orgId: string;
  status?: EffectiveLeaseStatus;
  botId?: string;
  secretId?: string;
  scope?: string;
  limit?: number;
}

export async function listLeases(db: Db, { orgId, status, botId, secretId, scope, limit = 100 }: ListLeasesOptions) {
  const now = new Date();
  const where: Prisma.LeaseWhereInput = { orgId, ...(botId ? { botId } : {}), ...(secretId ? { secretId } : {}), ...(scope ? { scope } : {}) };
  if (status === "active") Object.assign(where, { status: "active", expiresAt: { gt: now } });
  else if (status === "expired") Object.assign(where, { status: "active", expiresAt: { lte: now } });
  else if (status) where.status = status;
  const rows = await db.lease.findMany({ where, select: leaseSelect, orderBy: { createdAt: "desc" }, take: limit });
  return rows.map((l) => presentLease(l, now));
}
