import type { Db } from "@/lib/db/prisma";
import { secretSelect } from "./select";

export interface ListSecretsOptions {
  orgId: string;
  scope?: string;
  name?: string;
}

export async function listSecrets(db: Db, { orgId, scope, name }: ListSecretsOptions) {
  const rows = await db.secret.findMany({
    where: { orgId, ...(scope ? { scope } : {}), ...(name ? { name } : {}) },
    select: {
      ...secretSelect,
      _count: { select: { grants: true, leases: { where: { status: "active", expiresAt: { gt: new Date() } } } } },
    },
    orderBy: [{ name: "asc" }, { scope: "asc" }],
  });
  return rows.map(({ _count, ...s }) => ({ ...s, grantCount: _count.grants, activeLeaseCount: _count.leases }));
}
