// `npm run bench:hsm`: only the key-provider part of `npm run bench` (resolve with the
// env key and with the pkcs11 provider on SoftHSM2, as a ratio), on the existing build
// unless --build. `-- --duration=5` seconds per point (default 10).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const tmp = mkdtempSync(path.join(tmpdir(), "rv-bench-hsm-"));
process.env.RV_MASTER_KEY ??= randomBytes(32).toString("base64");
process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.RV_AUDIT_ANCHOR_FILE = path.join(tmp, "audit-anchor.jsonl");

const { ensureBuild } = await import("./lib/server");
const { measureKeyProviders } = await import("./lib/key-providers");

const args = process.argv.slice(2);
const duration = Number(args.find((a) => a.startsWith("--duration="))?.split("=")[1] ?? 10);
const log = (m: string) => console.error(`[bench:hsm] ${m}`);

try {
  ensureBuild(!args.includes("--build"), log);
  const result = await measureKeyProviders({
    tmp,
    adminUrl: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    env: {
      RV_MASTER_KEY: process.env.RV_MASTER_KEY!,
      RV_AUDIT_ANCHOR_FILE: process.env.RV_AUDIT_ANCHOR_FILE,
      RV_RATE_LIMIT_BOT_PER_MIN: "100000000",
      RV_RATE_LIMIT_IP_PER_MIN: "100000000",
    },
    duration,
    connections: 50,
    log,
  });
  if ("skipped" in result) {
    console.error(result.skipped);
    process.exitCode = 1;
  } else {
    console.log(result.table);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
