// Where the audit-sink figures join the summary. bench/sinks.ts (`npm run bench:sinks`,
// written separately: its own database, servers and load) is run when it exists, after
// the PostgreSQL sections with their servers stopped, on the build just made:
//
//   tsx bench/sinks.ts --reuse-build --duration=<seconds> --json
//
// Its stdout tables go into RESULTS.md as they are. Its targets join the summary table:
// from a last stdout line of JSON { "targets": Target[] } (bench/lib/targets.ts, group
// "issue 11") when it prints one, else from its own target table (columns target |
// figure | target value | met). With neither, the two sink targets of issue 11 are
// listed as NOT RUN, with the reason.
import { existsSync } from "node:fs";
import path from "node:path";
import { runTsx } from "./run-load";
import { ROOT } from "./server";
import type { Target } from "./targets";

export const SINKS_SCRIPT = "bench/sinks.ts";

const pending = (note: string): Target[] => [
  { group: "issue 11", name: "lease throughput with a file sink and an HTTP sink on", wanted: "≥ 90% of the run without sinks", measured: "–", baseline: "lease run without sinks", ok: null, note },
  { group: "issue 11", name: "sink catches up after a 30 s outage under load", wanted: "no gap", measured: "–", baseline: "–", ok: null, note },
];

export interface SinksResult {
  targets: Target[];
  /** bench/sinks.ts's own tables (stdout), for RESULTS.md. */
  output?: string;
  error?: string;
}

export async function runSinks(opts: { duration: number; env: Record<string, string>; log: (m: string) => void }): Promise<SinksResult> {
  if (!existsSync(path.join(ROOT, SINKS_SCRIPT))) {
    opts.log(`${SINKS_SCRIPT} not present: sink targets NOT RUN`);
    return { targets: pending(`${SINKS_SCRIPT} not present`) };
  }
  opts.log(`audit sinks (${SINKS_SCRIPT})`);
  let out: string;
  try {
    out = await runTsx(SINKS_SCRIPT, ["--reuse-build", `--duration=${opts.duration}`, "--json"], opts.env);
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split("\n")[0].slice(0, 300);
    opts.log(`${SINKS_SCRIPT} failed: ${why}`);
    return { targets: pending(`${SINKS_SCRIPT} failed: ${why}`).map((t) => ({ ...t, ok: false })), error: why };
  }
  const lines = out.trimEnd().split("\n");
  let targets: Target[] | undefined;
  try {
    const last = JSON.parse(lines.at(-1) ?? "");
    if (Array.isArray(last?.targets)) targets = last.targets.map((t: Target) => ({ ...t, group: t.group ?? "issue 11" }));
  } catch {
    // Tables only: shown in RESULTS.md, no summary rows.
  }
  const output = (targets ? lines.slice(0, -1) : lines).join("\n").trim();
  targets ??= targetsFromTable(output);
  return { targets: targets.length ? targets : pending(`${SINKS_SCRIPT} printed no targets: see its tables`), output };
}

/** The rows of bench/sinks.ts's markdown table "| target | figure | target value | met |". */
function targetsFromTable(text: string): Target[] {
  const lines = text.split("\n");
  const cells = (line: string) => line.trim().replace(/^\||\|$/g, "").split(" | ").map((c) => c.trim());
  const head = lines.findIndex((l) => /^\|\s*target\s*\|\s*figure\s*\|\s*target value\s*\|\s*met\s*\|/.test(l));
  if (head < 0) return [];
  const rows: Target[] = [];
  for (const line of lines.slice(head + 2)) {
    if (!line.startsWith("|")) break;
    const [name, figure, wanted, met] = cells(line);
    const baseline = /throughput/i.test(name) ? `the same load without sinks (${SINKS_SCRIPT}, same run)` : "–";
    rows.push({ group: "issue 11", name: `sinks: ${name}`, wanted, measured: figure, baseline, ok: /^yes$/i.test(met) });
  }
  return rows;
}
