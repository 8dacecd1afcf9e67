// The month partitions of "AuditEvent" (schema rv_audit, AuditEvent_YYYY_MM, created by
// rv_audit_ensure_partition), read from the catalog with their bounds. The DEFAULT
// partition is never listed: it holds whatever fell outside the prepared months, and
// is never archived.
import type { Db } from "@/lib/db/prisma";

export interface AuditPartition {
  name: string;
  /** Inclusive lower bound (UTC, as "sealedAt" is stored). */
  from: Date;
  /** Exclusive upper bound. */
  to: Date;
}

const NAME = /^AuditEvent_(\d{4})_(\d{2})$/;
const BOUND = /^FOR VALUES FROM \('([^']+)'\) TO \('([^']+)'\)$/;
const utc = (text: string) => new Date(`${text.replace(" ", "T")}Z`);

export async function listAuditPartitions(db: Db): Promise<AuditPartition[]> {
  const rows = await db.$queryRaw<{ name: string; schema: string; bound: string }[]>`
    SELECT c.relname AS name, n.nspname AS schema, pg_get_expr(c.relpartbound, c.oid) AS bound
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE i.inhparent = '"AuditEvent"'::regclass`;
  const partitions: AuditPartition[] = [];
  for (const row of rows) {
    const name = NAME.exec(row.name);
    const bound = BOUND.exec(row.bound);
    if (row.schema !== "rv_audit" || !name || !bound) continue; // DEFAULT, or not one of ours.
    const from = utc(bound[1]);
    const to = utc(bound[2]);
    // Only a whole calendar month named after itself: anything else was made by hand.
    const month = new Date(Date.UTC(Number(name[1]), Number(name[2]) - 1, 1));
    const next = new Date(Date.UTC(Number(name[1]), Number(name[2]), 1));
    if (from.getTime() !== month.getTime() || to.getTime() !== next.getTime()) continue;
    partitions.push({ name: row.name, from, to });
  }
  return partitions.sort((a, b) => a.from.getTime() - b.from.getTime());
}

/** "YYYY-MM" as the first instant of that month (UTC), or null. */
export function parseMonth(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return null;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
}
