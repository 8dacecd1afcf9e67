// pgbench scripts made from the very statements the hot paths send (the SQL constants
// exported by lib/), so the database ceiling is measured on the same SQL, not a copy
// that drifts. Each $n becomes a pgbench variable (sent as a parameter under
// -M prepared) or, for values the app computes, an equivalent SQL expression.
import { writeFileSync } from "node:fs";
import { BOT_SQL } from "../../lib/abuse/count-bot-request";
import { CHECKS_SQL, ISSUE_SQL } from "../../lib/leases/request-lease";
import { CLAIM_SQL, READ_SQL } from "../../lib/leases/resolve-lease";

/** Replaces $1…$n by the given SQL expressions; pgbench wants each statement on one line. */
function bind(sql: string, args: string[]): string {
  const text = sql.replace(/\$(\d+)(?!\d)/g, (_, n: string) => {
    const arg = args[Number(n) - 1];
    if (arg === undefined) throw new Error(`no argument for $${n}`);
    return `(${arg})`;
  });
  return text.replace(/--[^\n]*/g, "").replace(/\s+/g, " ").trim() + ";";
}

const id = (prefix: string) => `'${prefix}_' || substr(md5(random()::text), 1, 24)`;
const hash64 = "md5(random()::text) || md5(random()::text)";
// As text, like the app's ISO strings (and without a colon, which pgbench reads as a variable).
const now = "(now() AT TIME ZONE 'UTC')::text";
const window = "date_trunc('minute', now() AT TIME ZONE 'UTC')::text";
const ipKey = "'ip' || chr(58) || '127.0.0.1'";
// The event's canonical text is about this long in the app.
const canonical = "repeat('x', 420)";

/** The append's 18 parameters for an event of `type` about the bench bot's secret. */
function eventArgs(type: string, lease: string, version: string): string[] {
  return [
    canonical, id("evt"), ":org", `'${type}'`, "'bot'", ":bot_id", ":bot_id", ":secret_id", ":sn", "'production'", version, lease,
    "'Nightly reconciliation of the ledger (pgbench)'", "'success'", "NULL", "'127.0.0.1'", "jsonb_build_object('singleUse', true)::text", now,
  ];
}

export function writePgbenchScripts(dir: string) {
  const lease = [
    "-- POST /api/leases, statement for statement (bench/lib/pgbench-scripts.ts makes this from lib/).",
    "-- The first line picks a random seeded bot; it is not part of the app's path.",
    "\\set n random(1, :nbots)",
    `SELECT "botId" AS bot_id, "tokenHash" AS th, "secretId" AS secret_id, "secretName" AS sn, "grantId" AS grant_id, 'lse_' || substr(md5(random()::text), 1, 24) AS lease_id FROM bench_bots WHERE n = :n \\gset`,
    bind(BOT_SQL, [":th", window, ipKey]),
    bind(CHECKS_SQL, ["NULL", ":sn", "'production'", ":bot_id", ":org"]),
    bind(ISSUE_SQL, [
      ":bot_id", ":org", ":grant_id", ":lease_id", ":secret_id", ":sn", "'production'", hash64, "'Nightly reconciliation of the ledger (pgbench)'",
      "true", "'active'", "600", "NULL", "now() + interval '10 minutes'", now,
      ...eventArgs("lease.granted", ":lease_id", "NULL"),
    ]),
  ];
  const resolve = [
    "-- POST /api/leases/{id}/resolve, statement for statement, over multi-use leases so they",
    "-- can be resolved again (bench/lib/pgbench-scripts.ts makes this from lib/).",
    "\\set n random(1, :nleases)",
    `SELECT id AS lease_id, th, bot AS bot_id, "secretId" AS secret_id, "secretName" AS sn FROM bench_leases WHERE n = :n \\gset`,
    bind(READ_SQL, [":th", window, ipKey, "true"]),
    bind(CLAIM_SQL, [":lease_id", ":th", now, ":secret_id", "1", ...eventArgs("lease.resolved", ":lease_id", "1")]),
  ];
  writeFileSync(`${dir}/lease.sql`, lease.join("\n") + "\n");
  writeFileSync(`${dir}/resolve.sql`, resolve.join("\n") + "\n");
}
