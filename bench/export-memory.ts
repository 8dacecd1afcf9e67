// Peak memory of streaming one org's whole audit trail as CSV, in a fresh process so
// the figure is this export's alone. Uses lib/audit/export-audit-events.ts (the
// admin export) and drains it into a byte counter.
//   tsx bench/export-memory.ts <databaseUrl> <orgId>   → one JSON line on stdout
import { createPrismaClient } from "../lib/db/prisma";
import { exportAuditEvents } from "../lib/audit/export-audit-events";

const [url, orgId] = process.argv.slice(2);
const db = createPrismaClient(url, 2);
await db.auditEvent.findFirst({ where: { orgId }, select: { seq: true } }); // connect and warm up
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
await db.$disconnect();
process.stdout.write(JSON.stringify({ rows: lines - 1, bytes, seconds, baselineRss: baseline, peakRss: peak, growth: peak - baseline, peakHeapUsed: peakHeap, peakExternal: peakExternal, heapLimitFlag: process.execArgv.join(" ") || null }) + "\n");
