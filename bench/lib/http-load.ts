// HTTP load on one server: the bare route (the ceiling), lease requests and resolves at
// each concurrency, back to back, with CPU per request of the app and of PostgreSQL, and
// the unsealed window sampled while lease and resolve load runs.
import type { Db } from "../../lib/db/prisma";
import type { LoadPoint } from "./report";
import { load } from "./run-load";
import { postgresCpuByKind, postgresCpuMs, treeCpuMs, type BenchServer } from "./server";
import { withUnsealedWindow, type SealLatency, type WindowSample, type WindowStats } from "./unsealed-window";

export type HttpPoint = LoadPoint & {
  unsealed?: WindowStats;
  /** When the point ran (the events it recorded), and how long they waited to be sealed (filled in by the caller). */
  ran?: { from: string; to: string };
  sealedAfter?: SealLatency;
};

export interface HttpLoadResult {
  points: HttpPoint[];
  /** Every unsealed-window sample taken under lease/resolve load, by connection count. */
  windowSamples: Map<number, WindowSample[]>;
  /** How many single-use leases the resolve points spent (the next offset into the leases file). */
  offset: number;
}

export async function measureHttp(opts: {
  tmp: string;
  server: BenchServer;
  db: Db;
  botsFile: string;
  leasesFile: string;
  connections: number[];
  duration: number;
  log: (m: string) => void;
}): Promise<HttpLoadResult> {
  const { server, log } = opts;
  const common = { url: server.url, botsFile: opts.botsFile, leasesFile: opts.leasesFile };
  let offset = 0;
  log("warming up (2 s per route)");
  for (const kind of ["health", "lease", "resolve"] as const) {
    const w = await load(opts.tmp, { ...common, kind, connections: 10, duration: 2, offset });
    if (kind === "resolve") offset += w.used;
  }
  const points: HttpPoint[] = [];
  const windowSamples = new Map<number, WindowSample[]>();
  for (const connections of opts.connections) {
    for (const kind of ["health", "lease", "resolve"] as const) {
      const cpu0 = { app: treeCpuMs(server.child.pid!), db: postgresCpuMs(), kinds: postgresCpuByKind() };
      const run = () => load(opts.tmp, { ...common, kind, connections, duration: opts.duration, offset });
      let p: HttpPoint & { used: number };
      if (kind === "health") p = await run();
      else {
        const from = new Date().toISOString();
        const w = await withUnsealedWindow(opts.db, run);
        p = { ...w.result, unsealed: w.stats, ran: { from, to: new Date().toISOString() } };
        windowSamples.set(connections, [...(windowSamples.get(connections) ?? []), ...w.samples]);
      }
      p.appCpuMs = (treeCpuMs(server.child.pid!) - cpu0.app) / Math.max(1, p.requests);
      p.dbCpuMs = (postgresCpuMs() - cpu0.db) / Math.max(1, p.requests);
      const kinds = [...postgresCpuByKind()].map(([k, v]) => `${k} ${((v - (cpu0.kinds.get(k) ?? 0)) / Math.max(1, p.requests)).toFixed(2)}`);
      log(`  PostgreSQL CPU ms/req by process: ${kinds.filter((k) => !k.endsWith(" 0.00")).join(", ")}`);
      if (kind === "resolve") offset += p.used;
      points.push(p);
      const window = p.unsealed ? `, oldest unsealed p50 ${p.unsealed.p50} / p99 ${p.unsealed.p99} / max ${p.unsealed.max} ms` : "";
      log(`${kind.padEnd(7)} @ ${String(connections).padStart(3)}: ${p.rps.toFixed(0)} req/s, p50 ${p.p50} ms, p99 ${p.p99} ms, CPU/req app ${p.appCpuMs.toFixed(2)} ms db ${p.dbCpuMs.toFixed(2)} ms, errors ${p.non2xx + p.errors + p.timeouts}${window}`);
    }
  }
  return { points, windowSamples, offset };
}
