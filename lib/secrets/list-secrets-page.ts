// The catalogue list: one page of secrets (metadata only, never ciphertext) with the
// total, searchable by name, in any sortable column's order.
import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { field, keysetPage, type SortKey } from "@/lib/paging/keyset";
import type { SecretPageQuery } from "@/lib/validations/secret";
import { secretSelect } from "./select";

type Row = Prisma.SecretGetPayload<{ select: typeof secretSelect }>;

const keys: Record<SecretPageQuery["sort"], SortKey<Row>> = {
  name: field("name"),
  scope: field("scope"),
  currentVersion: field("currentVersion"),
  rotatedAt: field("rotatedAt"),
  createdAt: field("createdAt"),
};

export type ListSecretsPageOptions = { orgId: string } & Partial<SecretPageQuery>;

export async function listSecretsPage(db: Db, { orgId, q, cursor, limit = 50, sort = "name", direction = "asc" }: ListSecretsPageOptions) {
  const where: Prisma.SecretWhereInput = { orgId, ...(q ? { name: { contains: q, mode: "insensitive" } } : {}) };
  const page = await keysetPage<Row, Prisma.SecretWhereInput>({
    where,
    key: keys[sort],
    direction,
    cursor,
    limit,
    find: (args) => db.secret.findMany({ ...args, select: secretSelect }),
    count: (args) => db.secret.count(args),
    id: (r) => r.id,
  });
  // Counts for the page's rows only, in two grouped queries rather than per row.
  const ids = page.rows.map((r) => r.id);
  const [grants, leases] = await Promise.all([
    db.grant.groupBy({ by: ["secretId"], where: { orgId, secretId: { in: ids } }, _count: { _all: true } }),
    db.lease.groupBy({ by: ["secretId"], where: { orgId, secretId: { in: ids }, status: "active", expiresAt: { gt: new Date() } }, _count: { _all: true } }),
  ]);
  const grantCount = new Map(grants.map((g) => [g.secretId, g._count._all]));
  const leaseCount = new Map(leases.map((l) => [l.secretId, l._count._all]));
  return { ...page, rows: page.rows.map((s) => ({ ...s, grantCount: grantCount.get(s.id) ?? 0, activeLeaseCount: leaseCount.get(s.id) ?? 0 })) };
}
