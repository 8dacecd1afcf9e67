// The audit timeline at scale: the first page of 100 for each filter, straight through
// lib/ (listAuditEvents) and over HTTP, on the org seeded by seed-timeline.ts.
import type { PrismaClient } from "../../lib/db/prisma";
import { listAuditEvents } from "../../lib/audit/list-audit-events";
import { httpJson } from "./http";
import { TIMELINE, timelineBot, timelineSecret } from "./seed-timeline";
import type { Target } from "./targets";
import { quantile } from "./unsealed-window";

export interface TimelineRow {
  filter: string;
  rows: number;
  runs: number;
  direct: { p50: number; p95: number };
  http: { p50: number; p95: number };
}

export async function measureTimeline(opts: { db: PrismaClient; url: string; orgId: string; adminToken: string; runs: number; budgetMs: number; log: (m: string) => void }) {
  const day = 86_400_000;
  const now = Date.now();
  const filters: { name: string; q: Record<string, string> }[] = [
    { name: "none (newest first)", q: {} },
    { name: "bot", q: { botId: timelineBot(7) } },
    { name: "secret", q: { secretId: timelineSecret(42) } },
    { name: "type (lease.denied, 8%)", q: { type: "lease.denied" } },
    { name: "type (bot.frozen, 0.1%)", q: { type: "bot.frozen" } },
    { name: "time range (1 day, 45 days ago)", q: { from: new Date(now - 46 * day).toISOString(), to: new Date(now - 45 * day).toISOString() } },
    { name: "bot + type + time range", q: { botId: timelineBot(7), type: "lease.granted", from: new Date(now - 60 * day).toISOString(), to: new Date(now - 30 * day).toISOString() } },
    { name: `justification text, common ("${TIMELINE.common}")`, q: { q: TIMELINE.common } },
    { name: `justification text, rare (0.01%)`, q: { q: TIMELINE.rare } },
  ];
  const rows: TimelineRow[] = [];
  const targets: Target[] = [];
  for (const f of filters) {
    const direct: number[] = [], overHttp: number[] = [];
    let count = 0;
    const qs = new URLSearchParams({ ...f.q, limit: "100" }).toString();
    // `runs` runs, unless a filter is so slow that they would blow the time budget.
    const budgetEnds = Date.now() + opts.budgetMs;
    for (let i = 0; i < opts.runs && (i < 5 || Date.now() < budgetEnds); i++) {
      const s0 = performance.now();
      const page = await listAuditEvents(opts.db, { orgId: opts.orgId, limit: 100, ...f.q } as Parameters<typeof listAuditEvents>[1]);
      direct.push(performance.now() - s0);
      count = page.events.length;
      const h = await httpJson("GET", `${opts.url}/api/v1/audit?${qs}`, opts.adminToken);
      if (h.status !== 200) throw new Error(`audit list ${f.name}: ${h.status} ${JSON.stringify(h.body)}`);
      overHttp.push(h.ms);
    }
    direct.sort((x, y) => x - y);
    overHttp.sort((x, y) => x - y);
    const row = { filter: f.name, rows: count, runs: direct.length, direct: { p50: quantile(direct, 0.5), p95: quantile(direct, 0.95) }, http: { p50: quantile(overHttp, 0.5), p95: quantile(overHttp, 0.95) } };
    rows.push(row);
    opts.log(`timeline ${f.name}: ${row.rows} rows, direct p50 ${row.direct.p50.toFixed(1)} / p95 ${row.direct.p95.toFixed(1)} ms, http p95 ${row.http.p95.toFixed(1)} ms`);
    targets.push({
      group: "timeline", name: `first page: ${f.name}`, wanted: "p95 ≤ 50 ms", baseline: "–",
      measured: `${row.direct.p95.toFixed(1)} ms (HTTP ${row.http.p95.toFixed(1)} ms)`, ok: row.direct.p95 <= 50,
      note: row.direct.p95 > 50 ? `${(row.direct.p95 - 50).toFixed(0)} ms over` : undefined,
    });
  }
  return { rows, targets };
}
