// "AuditEvent" is partitioned by month of sealing (see the migration that made it so).
// The sealer makes sure this month's and next month's partitions exist; anything that
// still falls outside lands in the default partition rather than failing.
import type { PrismaClient } from "@/lib/db/prisma";

export async function ensureAuditPartitions(db: PrismaClient, at = new Date()): Promise<string[]> {
  const next = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  const rows = await db.$queryRaw<{ name: string }[]>`
    SELECT rv_audit_ensure_partition(m) AS name FROM unnest(ARRAY[${at.toISOString()}::timestamp, ${next.toISOString()}::timestamp]) AS m`;
  return rows.map((r) => r.name);
}
