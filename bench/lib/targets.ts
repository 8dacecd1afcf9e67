// The summary: every target with what was measured, the ceiling or baseline it is
// measured against (in the same run), and PASS / MISS (NOT RUN when its measurement
// is missing, e.g. the sink figures before bench/sinks.ts exists).
import { table } from "./report";

export interface Target {
  /** "issue 11" for the targets of issue 11; other groups are earlier targets kept as regression checks. */
  group: string;
  name: string;
  wanted: string;
  measured: string;
  /** The ceiling or baseline the measured value is compared with, measured in the same run. */
  baseline: string;
  ok: boolean | null;
  note?: string;
}

export const verdict = (t: Target) => (t.ok === null ? "NOT RUN" : t.ok ? "PASS" : "MISS");

export function targetsTable(targets: Target[], markdown = false) {
  const mark = (t: Target) => (markdown && t.ok === false ? `**${verdict(t)}**` : verdict(t));
  return table(
    ["target", "wanted", "measured", "ceiling / baseline (same run)", "result"],
    targets.map((t) => [`${t.group === "issue 11" ? "" : `${t.group}: `}${t.name}`, t.wanted, t.measured + (t.note ? ` — ${t.note}` : ""), t.baseline, mark(t)]),
  );
}

/** "PASS 9, MISS 2, NOT RUN 2" */
export function tally(targets: Target[]) {
  const n = (v: string) => targets.filter((t) => verdict(t) === v).length;
  return ["PASS", "MISS", "NOT RUN"].map((v) => `${v} ${n(v)}`).join(", ");
}

/** Ratio as a percentage, with how far it misses a floor. */
export function atLeast(ratio: number, floor: number): Pick<Target, "measured" | "ok" | "note"> {
  const ok = ratio >= floor;
  return { measured: `${(ratio * 100).toFixed(0)}%`, ok, note: ok ? undefined : `missed by ${((floor - ratio) * 100).toFixed(0)} points` };
}

/** A multiple (×), with how far it misses. */
export function times(ratio: number, limit: number, kind: "min" | "max"): Pick<Target, "measured" | "ok" | "note"> {
  const ok = kind === "min" ? ratio >= limit : ratio <= limit;
  return { measured: `${ratio.toFixed(2)}×`, ok, note: ok ? undefined : kind === "min" ? `${(limit / ratio).toFixed(2)}× short` : `${(ratio / limit).toFixed(2)}× over the limit` };
}
