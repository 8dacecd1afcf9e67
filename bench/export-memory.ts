// Peak memory of streaming one org's whole audit trail as CSV, in a fresh process so
// the figure is this export's alone. Uses lib/audit/export-audit-events.ts (the
// admin export) on a pg pool, as the server does through sqlPool, and drains it into a
// byte counter.
//   tsx bench/export-memory.ts <databaseUrl> <orgId>   → one JSON line on stdout
import pg from "pg";
import { exportAuditEvents } from "../lib/audit/export-audit-events";

const [url, orgId] = process.argv.slice(2);
const db = new pg.Pool({ connectionString: url, max: 2 });
await db.query(`SELECT seq FROM "AuditEvent" WHERE "orgId" = $1 LIMIT 1`, [orgId]); // connect and warm up
globalThis.gc?.();
const baseline = process.memoryUsage().rss;
let peak = baseline;
let peakHeap = 0;
let peakExternal = 0;
const sample = () => {
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakExternal = Math.max(peakExternal, m.external + m.arrayBuffers);
};
const timer = setInterval(sample, 25);
const started = performance.now();
let bytes = 0;
let lines = 0;
for await (const chunk of exportAuditEvents(db, { orgId, format: "csv" })) {
  bytes += Buffer.byteLength(chunk);
  for (let i = chunk.indexOf("\n"); i !== -1; i = chunk.indexOf("\n", i + 1)) lines++;
  sample();
}
clearInterval(timer);
const seconds = (performance.now() - started) / 1000;
await db.end();
process.stdout.write(JSON.stringify({ rows: lines - 1, bytes, seconds, baselineRss: baseline, peakRss: peak, growth: peak - baseline, peakHeapUsed: peakHeap, peakExternal: peakExternal, heapLimitFlag: process.execArgv.join(" ") || null }) + "\n");
