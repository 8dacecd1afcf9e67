// test/server.ts for Playwright: the same `next start` in its own process group,
// but rooted at the working directory (Playwright's module wrapper gives
// test/server.ts a __dirname that is not the repository's test/ folder).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import type { TestServer } from "../../test/server";

const ROOT = process.cwd();
const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");

export async function startE2eServer(databaseUrl: string, env: Record<string, string | undefined>): Promise<TestServer> {
  // Imported lazily: only the helpers, which do not use __dirname.
  const { freePort, captureOutput, killGroup, waitForOk } = await import("../../test/server");
  if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) throw new Error("no production build: run `npm run build` first");
  const port = await freePort();
  const child = spawn(process.execPath, [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env, NODE_ENV: "production", DATABASE_URL: databaseUrl, NEXT_TELEMETRY_DISABLED: "1" },
  });
  const logs = captureOutput(child);
  const url = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= killGroup(child));
  try {
    await waitForOk(`${url}/api/health`, child, 60_000, logs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop, logs };
}
