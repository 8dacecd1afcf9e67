// `npm run bench:embedded`: only the embedded-database rows of `npm run bench` (about a
// minute), for checking the default install's hot paths without the full run.
//   npm run bench:embedded -- --duration=10
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

process.env.RV_MASTER_KEY ??= randomBytes(32).toString("base64");
process.env.NEXT_TELEMETRY_DISABLED = "1";

const { measureEmbedded, embeddedRows } = await import("./lib/embedded");
const report = await import("./lib/report");
const { ROOT } = await import("./lib/server");

const duration = Number(process.argv.find((a) => a.startsWith("--duration="))?.split("=")[1] ?? 10);
const tmp = mkdtempSync(path.join(tmpdir(), "rv-bench-embedded-"));
// The server's audit anchor file, kept out of the checkout's data directory.
const anchorFile = path.join(tmp, "audit-anchor.jsonl");
try {
  const result = await measureEmbedded({
    tmp,
    duration,
    env: { RV_MASTER_KEY: process.env.RV_MASTER_KEY!, RV_AUDIT_ANCHOR_FILE: anchorFile, RV_RATE_LIMIT_BOT_PER_MIN: "100000000", RV_RATE_LIMIT_IP_PER_MIN: "100000000" },
    log: (m) => console.error(`[bench] ${m}`),
  });
  const t = embeddedRows(result);
  console.log("\n" + report.table(t.headers, t.rows) + "\n");
  writeFileSync(path.join(ROOT, "bench", "results-embedded.json"), JSON.stringify({ startedAt: new Date().toISOString(), durationSeconds: duration, ...result }, null, 2) + "\n");
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
