// Black-box harness: the built production app (`next start`) on a free port, against
// a given database. `next start` forks a `next-server` child, so the server runs in
// its own process group and stop() signals the whole group.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
const READY_TIMEOUT_MS = 60_000;
const MAX_LOG_BYTES = 1 << 20;

export interface StartServerOptions {
  databaseUrl: string;
  env?: Record<string, string | undefined>;
}

export interface TestServer {
  url: string;
  /** The `next start` process (its `next-server` child does the serving), when startServer made it. */
  pid?: number;
  stop(): Promise<void>;
  logs(): string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves when `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** SIGTERM to the child's process group, SIGKILL if it lingers. */
export async function killGroup(child: ChildProcess, graceMs = 10_000): Promise<void> {
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // The group is already gone.
    }
  };
  const done = exited(child);
  signalGroup("SIGTERM");
  const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
  await done;
  clearTimeout(timer);
  // The leader exiting does not mean `next-server` did: make sure the group is gone.
  signalGroup("SIGKILL");
}

/** Polls `url` until it answers 200; rejects when `child` exits first or time runs out. */
export async function waitForOk(url: string, child: ChildProcess, timeoutMs: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before ${url} answered; logs:\n${logs()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s; logs:\n${logs()}`);
}

/** Collects a child's stdout and stderr into one bounded buffer. */
export function captureOutput(child: ChildProcess): () => string {
  let text = "";
  const append = (chunk: Buffer) => {
    text += chunk.toString("utf8");
    if (text.length > MAX_LOG_BYTES) text = text.slice(-MAX_LOG_BYTES);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return () => text;
}

export async function startServer({ databaseUrl, env = {} }: StartServerOptions): Promise<TestServer> {
  if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    throw new Error("no production build (.next/BUILD_ID is missing): run `npm run build` first (`npm test` does)");
  }
  const port = await freePort();
  const child = spawn(process.execPath, [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      // The test process's key, so data seeded through lib/ opens in the server.
      RV_MASTER_KEY: process.env.RV_MASTER_KEY ?? randomBytes(32).toString("base64"),
      // Suites send bursts from one address; the abuse suite sets real limits itself.
      RV_RATE_LIMIT_BOT_PER_MIN: "1000000",
      RV_RATE_LIMIT_IP_PER_MIN: "1000000",
      RV_RATE_LIMIT_ADMIN_PER_MIN: "1000000",
      // Each server its own audit anchor, out of the checkout's .data.
      RV_AUDIT_ANCHOR_FILE: path.join(tmpdir(), `rv-test-anchor-${randomBytes(6).toString("hex")}.jsonl`),
      ...env,
      DATABASE_URL: databaseUrl,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  const logs = captureOutput(child);
  const url = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= killGroup(child));
  try {
    await waitForOk(`${url}/api/health`, child, READY_TIMEOUT_MS, logs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: child.pid!, stop, logs };
}
