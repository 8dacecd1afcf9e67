// pgbench scripts made from the very statements the hot paths send (the SQL constants
// exported by lib/), so the database ceiling is measured on the same SQL, not a copy
// that drifts. Each $n becomes a pgbench variable (sent as a parameter under
// -M prepared) or, for values the app computes, an equivalent SQL expression.
//
// Two kinds:
// * the request paths, statement for statement (lease.sql, resolve.sql);
// * the lease statement alone, one statement per transaction, three ways (issue 11's
//   target): today's (lib/leases/request-lease.ts ISSUE_SQL: the lease and its
//   AuditPending row), the old chained append it replaced (old-chain.ts), and the
//   ceiling, the same lease insert with no audit at all.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { BOT_SQL } from "../../lib/abuse/count-bot-request";
import { appendEventSql } from "../../lib/audit/record-audit-event";
import { CHECKS_SQL, ISSUE_SQL } from "../../lib/leases/request-lease";
import { CLAIM_SQL, READ_SQL } from "../../lib/leases/resolve-lease";
import { oldAppendEventSql } from "./old-chain";

export type LeaseStatementKind = "new" | "old" | "plain";
export const LEASE_STATEMENT_FILES: Record<LeaseStatementKind, string> = {
  new: "lease-statement.sql",
  old: "lease-statement-old-chain.sql",
  plain: "lease-statement-no-audit.sql",
};

/** Replaces $1…$n by the given SQL expressions; pgbench wants each statement on one line. */
function bind(sql: string, args: string[]): string {
  const text = sql.replace(/\$(\d+)(?!\d)/g, (_, n: string) => {
    const arg = args[Number(n) - 1];
    if (arg === undefined) throw new Error(`no argument for $${n}`);
    return `(${arg})`;
  });
  return text.replace(/--[^\n]*/g, "").replace(/\s+/g, " ").trim() + ";";
}

/** `sql` with `from` replaced, which must occur exactly once (so a change in lib/ fails loudly here). */
function replaceOnce(sql: string, from: string | RegExp, to: string): string {
  const count = typeof from === "string" ? sql.split(from).length - 1 : (sql.match(new RegExp(from.source, "g")) ?? []).length;
  if (count !== 1) throw new Error(`pgbench scripts: expected one ${from} in the statement, found ${count}`);
  return sql.replace(from, to);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const id = (prefix: string) => `'${prefix}_' || substr(md5(random()::text), 1, 24)`;
const hash64 = "md5(random()::text) || md5(random()::text)";
// As text, like the app's ISO strings (and without a colon, which pgbench reads as a variable).
const now = "(now() AT TIME ZONE 'UTC')::text";
const window = "date_trunc('minute', now() AT TIME ZONE 'UTC')::text";
const ipKey = "'ip' || chr(58) || '127.0.0.1'";
// The old append hashed the event's canonical text, which the app built; about this long.
const canonical = "repeat('x', 420)";
const JUSTIFICATION = "'Nightly reconciliation of the ledger (pgbench)'";

/** The append's 17 parameters for an event of `type` about the bench bot's secret. */
function eventArgs(type: string, v: { org: string; bot: string; secret: string; name: string; lease: string; version: string }): string[] {
  return [
    id("evt"), v.org, `'${type}'`, "'bot'", v.bot, v.bot, v.secret, v.name, "'production'", v.version, v.lease,
    JUSTIFICATION, "'success'", "NULL", "'127.0.0.1'", "jsonb_build_object('singleUse', true)::text", now,
  ];
}

/** ISSUE_SQL's 17 lease parameters. */
function leaseArgs(v: { org: string; bot: string; grant: string; lease: string; secret: string; name: string }): string[] {
  return [v.bot, v.org, v.grant, v.lease, v.secret, v.name, "'production'", hash64, JUSTIFICATION, "true", "'active'", "600", "NULL", "now() + interval '10 minutes'", now, "NULL", "NULL"];
}

// ISSUE_SQL ends with its event CTE and `SELECT "id" FROM rv_event`; the variants swap that part.
const NEW_APPEND = appendEventSql(17, "rv_lease");
const OLD_ISSUE_SQL = replaceOnce(ISSUE_SQL, NEW_APPEND, oldAppendEventSql(17, "rv_lease"));
const PLAIN_ISSUE_SQL = replaceOnce(ISSUE_SQL, new RegExp(`,\\s*${escape(NEW_APPEND)}\\s*SELECT "id" FROM rv_event`), `\n  SELECT "id" FROM rv_lease`);

/**
 * One lease statement per transaction. The bench bot is picked inside the statement
 * (a materialised CTE over bench_bots) so that the transaction is that one statement
 * and one round trip, as in the app.
 */
function leaseStatement(kind: LeaseStatementKind): string[] {
  const pick = `WITH pick AS MATERIALIZED (SELECT "botId", "secretId", "secretName", "grantId", ${id("lse")} AS lease_id FROM bench_bots WHERE n = :n),`;
  const col = (c: string) => `SELECT "${c}" FROM pick`;
  const v = { org: ":org", bot: col("botId"), grant: col("grantId"), lease: col("lease_id"), secret: col("secretId"), name: col("secretName") };
  const event = eventArgs("lease.granted", { ...v, version: "NULL" });
  const [sql, args] =
    kind === "new" ? [ISSUE_SQL, [...leaseArgs(v), ...event]] : kind === "old" ? [OLD_ISSUE_SQL, [...leaseArgs(v), canonical, ...event]] : [PLAIN_ISSUE_SQL, leaseArgs(v)];
  const what = { new: "today's (lease + AuditPending row)", old: "the old chained append (org head row lock, hash in PostgreSQL)", plain: "the ceiling: the lease insert with no audit" }[kind];
  return [
    `-- The lease statement alone, ${what}; bench/lib/pgbench-scripts.ts makes this from lib/.`,
    "\\set n random(1, :nbots)",
    replaceOnce(bind(sql, args), /^WITH /, `${pick} `),
  ];
}

export function writePgbenchScripts(dir: string) {
  const fromGset = { org: ":org", bot: ":bot_id", grant: ":grant_id", lease: ":lease_id", secret: ":secret_id", name: ":sn" };
  const lease = [
    "-- POST /api/leases, statement for statement (bench/lib/pgbench-scripts.ts makes this from lib/).",
    "-- The first line picks a random seeded bot; it is not part of the app's path.",
    "\\set n random(1, :nbots)",
    `SELECT "botId" AS bot_id, "tokenHash" AS th, "secretId" AS secret_id, "secretName" AS sn, "grantId" AS grant_id, 'lse_' || substr(md5(random()::text), 1, 24) AS lease_id FROM bench_bots WHERE n = :n \\gset`,
    bind(BOT_SQL, [":th", window, ipKey]),
    bind(CHECKS_SQL, ["NULL", ":sn", "'production'", ":bot_id", ":org", "NULL"]),
    bind(ISSUE_SQL, [...leaseArgs(fromGset), ...eventArgs("lease.granted", { ...fromGset, version: "NULL" })]),
  ];
  const resolve = [
    "-- POST /api/leases/{id}/resolve, statement for statement, over multi-use leases so they",
    "-- can be resolved again (bench/lib/pgbench-scripts.ts makes this from lib/).",
    "\\set n random(1, :nleases)",
    `SELECT id AS lease_id, th, bot AS bot_id, "secretId" AS secret_id, "secretName" AS sn FROM bench_leases WHERE n = :n \\gset`,
    bind(READ_SQL, [":th", window, ipKey, "true"]),
    bind(CLAIM_SQL, [":lease_id", ":th", now, ":secret_id", "1", ...eventArgs("lease.resolved", { ...fromGset, version: "1" })]),
  ];
  writeFileSync(path.join(dir, "lease.sql"), lease.join("\n") + "\n");
  writeFileSync(path.join(dir, "resolve.sql"), resolve.join("\n") + "\n");
  for (const kind of ["new", "old", "plain"] as const) writeFileSync(path.join(dir, LEASE_STATEMENT_FILES[kind]), leaseStatement(kind).join("\n") + "\n");
}
