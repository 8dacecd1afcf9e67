// Where the audit-sink figures join the summary. bench/sinks.ts (written separately) is
// run when it exists, after the PostgreSQL sections with their servers stopped:
//
//   tsx bench/sinks.ts <context.json>
//
// context.json is a SinksContext (below): the bench database with its seeded org and
// bot tokens, and the environment the bench servers run with (start servers with
// bench/lib/server.ts startBenchServer(databaseUrl, { ...serverEnv, RV_AUDIT_SINKS: … })).
// Its last line on stdout must be JSON: { "targets": Target[] (bench/lib/targets.ts,
// group "issue 11"), "results"?: any } — the targets go into the summary table and
// RESULTS.md, the results into results.json as `sinks`. Until the script exists, the
// summary lists the two sink targets of issue 11 as NOT RUN.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runTsx } from "./run-load";
import { ROOT } from "./server";
import type { Target } from "./targets";

export const SINKS_SCRIPT = "bench/sinks.ts";

export interface SinksContext {
  adminUrl: string;
  databaseUrl: string;
  orgId: string;
  adminToken: string;
  /** JSON [{ token, secret }] of the org's bots (lease requests: see bench/load.ts). */
  botsFile: string;
  /** The lease load point with no sinks, measured by `npm run bench` on the same server build and database, for reference. */
  leaseWithoutSinks: { connections: number; rps: number; p99: number };
  durationSeconds: number;
  serverEnv: Record<string, string>;
  tmp: string;
}

const PENDING: Target[] = [
  { group: "issue 11", name: "lease throughput with a file sink and an HTTP sink on", wanted: "≥ 90% of the run without sinks", measured: "–", baseline: "lease run without sinks", ok: null, note: `${SINKS_SCRIPT} not present` },
  { group: "issue 11", name: "sink catches up after a 30 s outage under load", wanted: "no gap", measured: "–", baseline: "–", ok: null, note: `${SINKS_SCRIPT} not present` },
];

export async function runSinks(context: SinksContext, log: (m: string) => void): Promise<{ targets: Target[]; results?: unknown }> {
  if (!existsSync(path.join(ROOT, SINKS_SCRIPT))) {
    log(`${SINKS_SCRIPT} not present: sink targets NOT RUN`);
    return { targets: PENDING };
  }
  log(`audit sinks (${SINKS_SCRIPT})`);
  const file = path.join(context.tmp, "sinks-context.json");
  writeFileSync(file, JSON.stringify(context));
  try {
    const out = await runTsx(SINKS_SCRIPT, [file]);
    const parsed = JSON.parse(out.trim().split("\n").pop()!) as { targets: Target[]; results?: unknown };
    return { targets: parsed.targets.map((t) => ({ ...t, group: t.group ?? "issue 11" })), results: parsed.results };
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    log(`${SINKS_SCRIPT} failed: ${why}`);
    return { targets: PENDING.map((t) => ({ ...t, ok: false, note: `${SINKS_SCRIPT} failed: ${why.slice(0, 200)}` })), results: { error: String(err) } };
  }
}
