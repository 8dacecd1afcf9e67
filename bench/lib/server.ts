// The production server (`next start`) for the bench: like test/server.ts, but the
// caller picks the environment and gets the process tree (to sample its memory).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** `npm run build`, unless `reuse` and a build exists; `log` says which. */
export function ensureBuild(reuse: boolean, log: (message: string) => void): void {
  if (reuse && existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    log("reusing the existing production build (.next)");
    return;
  }
  log("building (npm run build)…");
  const b = spawnSync("npm", ["run", "build"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (b.status !== 0) throw new Error(`build failed:\n${(b.stdout + b.stderr).slice(-4000)}`);
}
const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");

export interface BenchServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
  logs(): string;
  /** Resident memory of the whole process tree (next start + next-server), bytes. */
  rss(): number;
}

export async function startBenchServer(databaseUrl: string, env: Record<string, string>): Promise<BenchServer> {
  if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) throw new Error("no production build: run without --reuse-build");
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
  return { url, child, stop, logs, rss: () => treeRss(child.pid!) };
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function treeRss(pid: number): number {
  let total = 0;
  for (const p of [pid, ...childrenOf(pid).flatMap((c) => [c, ...childrenOf(c)])]) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // exited
    }
  }
  return total;
}

// test/server.ts has the same helpers but relies on __dirname (vitest's CommonJS view),
// which tsx's ESM does not define; these are their ESM twins.
function freePort(): Promise<number> {
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

function captureOutput(child: ChildProcess): () => string {
  let text = "";
  const append = (chunk: Buffer) => {
    text += chunk.toString("utf8");
    if (text.length > 1 << 20) text = text.slice(-(1 << 20));
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return () => text;
}

async function waitForOk(url: string, child: ChildProcess, timeoutMs: number, logs: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited before ${url} answered; logs:\n${logs()}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s; logs:\n${logs()}`);
}

async function killGroup(child: ChildProcess) {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s);
    } catch {
      // gone
    }
  };
  const done = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once("exit", () => r()));
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 10_000);
  await done;
  clearTimeout(timer);
  signal("SIGKILL");
}

const TICK_MS = 10; // Linux USER_HZ is 100 on every supported platform.

function cpuMsOf(pid: number): number {
  try {
    // utime and stime are fields 14 and 15; the command name (field 2) may contain spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0; // exited
  }
}

/** CPU time (user + system) used so far by a process and its descendants, in ms. */
export function treeCpuMs(pid: number): number {
  return [pid, ...childrenOf(pid).flatMap((c) => [c, ...childrenOf(c)])].reduce((sum, p) => sum + cpuMsOf(p), 0);
}

/** CPU time used so far by PostgreSQL processes on the machine, in ms, by kind (from the process title). */
export function postgresCpuByKind(): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "postgres") continue;
      const title = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      // "postgres: 15/main: postgres rv_bench_… 127.0.0.1(…) idle" is a client backend; the rest name themselves.
      const kind = /: \S+ \S+ \d+\.\d+\.\d+\.\d+\(/.test(title) ? "backends" : (/main: ([a-z ]+?)(?: \d|$| [A-Z]|  )/.exec(title)?.[1]?.trim() ?? "other");
      kinds.set(kind, (kinds.get(kind) ?? 0) + cpuMsOf(Number(entry)));
    } catch {
      // exited
    }
  }
  return kinds;
}

/** CPU time used so far by every PostgreSQL process on the machine, in ms. */
export function postgresCpuMs(): number {
  return [...postgresCpuByKind().values()].reduce((a, b) => a + b, 0);
}
