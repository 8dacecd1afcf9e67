// CSV export of the whole seeded timeline: memory growth in its own process (with and
// without V8's old space capped) and of the server while it streams over HTTP.
import http from "node:http";
import { runTsx } from "./run-load";
import type { BenchServer } from "./server";
import type { Target } from "./targets";

export async function measureExport(opts: { url: string; orgId: string; events: number; server: BenchServer; adminToken: string; log: (m: string) => void }) {
  const { log } = opts;
  log("CSV export, in its own process");
  const exp = JSON.parse((await runTsx("bench/export-memory.ts", [opts.url, opts.orgId])).trim().split("\n").pop()!);
  log(`export: ${exp.rows} rows, ${(exp.bytes / 2 ** 20).toFixed(0)} MiB in ${exp.seconds.toFixed(1)} s, RSS growth ${(exp.growth / 2 ** 20).toFixed(1)} MiB`);
  // The same with V8's old space capped: if the export only holds a batch at a time it
  // still completes, and the growth left is the working set rather than uncollected garbage.
  const capped = JSON.parse((await runTsx("bench/export-memory.ts", [opts.url, opts.orgId], { NODE_OPTIONS: "--max-old-space-size=64" })).trim().split("\n").pop()!);
  log(`export, old space capped at 64 MB: ${capped.rows} rows in ${capped.seconds.toFixed(1)} s, RSS growth ${(capped.growth / 2 ** 20).toFixed(1)} MiB, peak heap used ${(capped.peakHeapUsed / 2 ** 20).toFixed(1)} MiB`);
  log("CSV export over HTTP (server memory sampled)");
  const httpExp = await exportOverHttp(opts.server.url, opts.adminToken, () => opts.server.rss());
  log(`export over HTTP: ${httpExp.status} ${(httpExp.bytes / 2 ** 20).toFixed(0)} MiB in ${httpExp.seconds.toFixed(1)} s, server RSS growth ${(httpExp.growth / 2 ** 20).toFixed(1)} MiB`);
  const group = "export";
  const mem = (r: { growth: number; peakHeapUsed: number; rows: number; seconds: number }) =>
    `${(r.growth / 1e6).toFixed(1)} MB (heap used ≤ ${(r.peakHeapUsed / 1e6).toFixed(0)} MB), ${r.rows.toLocaleString("en")} rows in ${r.seconds.toFixed(1)} s`;
  const targets: Target[] = [
    { group, name: `CSV of ${opts.events.toLocaleString("en")} events, memory growth (own process)`, wanted: "< 100 MB", baseline: "–", measured: mem(exp), ok: exp.growth < 100e6 && exp.rows >= opts.events },
    { group, name: "CSV, own process, old space capped at 64 MB", wanted: "< 100 MB", baseline: "–", measured: mem(capped), ok: capped.growth < 100e6 && capped.rows >= opts.events },
    { group, name: "CSV over HTTP, server memory growth", wanted: "< 100 MB", baseline: "–", measured: `${(httpExp.growth / 1e6).toFixed(1)} MB, ${(httpExp.bytes / 1e6).toFixed(0)} MB sent in ${httpExp.seconds.toFixed(1)} s`, ok: httpExp.status === 200 && httpExp.growth < 100e6 },
  ];
  return { results: { direct: exp, directCapped: capped, http: httpExp }, targets };
}

function exportOverHttp(baseUrl: string, token: string, rss: () => number): Promise<{ status: number; bytes: number; seconds: number; baselineRss: number; peakRss: number; growth: number }> {
  return new Promise((resolve, reject) => {
    const baseline = rss();
    let peak = baseline;
    const timer = setInterval(() => (peak = Math.max(peak, rss())), 100);
    const t0 = performance.now();
    http
      .get(`${baseUrl}/api/v1/audit/export?format=csv`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
        let bytes = 0;
        res.on("data", (d: Buffer) => (bytes += d.length));
        res.on("end", () => {
          clearInterval(timer);
          resolve({ status: res.statusCode ?? 0, bytes, seconds: (performance.now() - t0) / 1000, baselineRss: baseline, peakRss: peak, growth: peak - baseline });
        });
        res.on("error", reject);
      })
      .on("error", (e) => {
        clearInterval(timer);
        reject(e);
      });
  });
}
