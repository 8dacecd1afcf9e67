// Shared by the fault suites: a throwaway PostgreSQL cluster that can be restarted,
// the production app as a process that can be SIGKILLed, a lease+resolve load that
// records every answer, and the invariants that must hold after any fault.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import pg from "pg";
import { captureOutput, freePort, killGroup, waitForOk } from "../test/server";

const ROOT = path.resolve(__dirname, "..");
const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
export const PG_BIN = "/usr/lib/postgresql/15/bin";

/** The abuse limits are someone else's subject: the fault loads must not trip them. */
export const NO_RATE_LIMITS = { RV_RATE_LIMIT_BOT_PER_MIN: "100000000", RV_RATE_LIMIT_IP_PER_MIN: "100000000", RV_RATE_LIMIT_ADMIN_PER_MIN: "100000000" };

// ---------------------------------------------------------------------------------
// A dedicated PostgreSQL 15 cluster on a spare port (initdb + pg_ctl as `postgres`).

export interface Cluster {
  port: number;
  adminUrl: string;
  start(): void;
  /** `immediate` is a crash (no checkpoint, backends killed); `fast` a clean shutdown. */
  stop(mode?: "fast" | "immediate"): void;
  destroy(): void;
}

function asPostgres(bin: string, args: string[], opts: { timeout?: number } = {}) {
  const isRoot = process.getuid?.() === 0;
  const [cmd, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", path.join(PG_BIN, bin), ...args]] : [path.join(PG_BIN, bin), args];
  return execFileSync(cmd, argv, { stdio: "pipe", timeout: opts.timeout ?? 60_000, encoding: "utf8" });
}

export function clusterAvailable(): boolean {
  return existsSync(path.join(PG_BIN, "initdb")) && (process.getuid?.() !== 0 || existsSync("/usr/sbin/runuser") || existsSync("/sbin/runuser"));
}

export async function createCluster(): Promise<Cluster> {
  const dir = mkdtempSync(path.join(tmpdir(), "rv-pg-"));
  if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync("id", ["-u", "postgres"]).toString().trim()), Number(execFileSync("id", ["-g", "postgres"]).toString().trim()));
  const data = path.join(dir, "data");
  const user = process.getuid?.() === 0 ? "postgres" : userInfo().username;
  asPostgres("initdb", ["-D", data, "-A", "trust", "-U", user, "-E", "UTF8", "--no-sync", "--no-instructions"]);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60 -c shared_buffers=32MB`;
  const cluster: Cluster = {
    port,
    adminUrl: `postgresql://${user}@127.0.0.1:${port}/postgres`,
    start: () => void asPostgres("pg_ctl", ["-D", data, "-o", opts, "-l", path.join(dir, "log"), "-w", "-t", "30", "start"]),
    stop: (mode = "fast") => void asPostgres("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "30", "stop"]),
    destroy() {
      try {
        cluster.stop("immediate");
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}

// ---------------------------------------------------------------------------------
// The app as a killable process (next start in its own process group).

export interface App {
  url: string;
  child: ChildProcess;
  logs(): string;
  kill(): void;
  stop(): Promise<void>;
}

export async function startApp(databaseUrl: string, opts: { port?: number; env?: Record<string, string | undefined> } = {}): Promise<App> {
  if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) throw new Error("no production build: run `npm run build` first (`npm test` does)");
  const port = opts.port ?? (await freePort());
  const child = spawn(process.execPath, [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_ENV: "production", ...NO_RATE_LIMITS, ...opts.env, DATABASE_URL: databaseUrl, NEXT_TELEMETRY_DISABLED: "1" },
  });
  const logs = captureOutput(child);
  const url = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  const app: App = {
    url,
    child,
    logs,
    kill() {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    },
    stop: () => (stopping ??= killGroup(child)),
  };
  try {
    await waitForOk(`${url}/api/health`, child, 60_000, logs);
  } catch (err) {
    await app.stop();
    throw err;
  }
  return app;
}

// ---------------------------------------------------------------------------------
// Load: workers that request a single-use lease and resolve it, recording everything.

export const CLIENT_TIMEOUT_MS = 10_000;

export interface Answer {
  op: "lease" | "resolve";
  at: number;
  ms: number;
  status: number | "network" | "timeout";
  code?: string;
  leaseId?: string;
  /** The body was not the documented error shape (only recorded for errors). */
  badShape?: boolean;
}

export interface Load {
  answers: Answer[];
  /** Lease ids the client was given (201). */
  issued: Set<string>;
  /** How many 200 resolves the client saw per lease id. */
  resolved: Map<string, number>;
  stop(): Promise<void>;
}

export function startLoad(baseUrl: () => string, bots: { token: string; secret: string; scope: string }[], workers = 6): Load {
  const answers: Answer[] = [];
  const issued = new Set<string>();
  const resolved = new Map<string, number>();
  let running = true;
  async function call(op: Answer["op"], url: string, init: RequestInit, leaseId?: string): Promise<{ status: number; body: any } | null> {
    const t0 = Date.now();
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) });
      const text = await res.text();
      let body: any = null;
      try {
        body = JSON.parse(text);
      } catch {
        // left null: checked below for errors
      }
      const badShape = res.status >= 400 && !(typeof body?.error?.code === "string" && typeof body?.error?.message === "string");
      answers.push({ op, at: t0, ms: Date.now() - t0, status: res.status, code: body?.error?.code, leaseId: leaseId ?? body?.id, badShape });
      return { status: res.status, body };
    } catch (err) {
      const timeout = (err as Error)?.name === "TimeoutError";
      answers.push({ op, at: t0, ms: Date.now() - t0, status: timeout ? "timeout" : "network", leaseId });
      return null;
    }
  }
  async function worker(i: number) {
    let n = i;
    while (running) {
      const bot = bots[n++ % bots.length];
      const lease = await call("lease", `${baseUrl()}/api/leases`, {
        method: "POST",
        headers: { authorization: `Bearer ${bot.token}`, "content-type": "application/json" },
        body: JSON.stringify({ secret: bot.secret, scope: bot.scope, justification: "Fault suite: lease under pressure", singleUse: true, ttlSeconds: 600 }),
      });
      if (lease?.status !== 201) {
        await new Promise((r) => setTimeout(r, lease ? 20 : 100));
        continue;
      }
      issued.add(lease.body.id);
      const res = await call("resolve", `${baseUrl()}/api/leases/${lease.body.id}/resolve`, { method: "POST", headers: { authorization: `Bearer ${lease.body.leaseToken}` } }, lease.body.id);
      if (res?.status === 200) resolved.set(lease.body.id, (resolved.get(lease.body.id) ?? 0) + 1);
    }
  }
  const done = Promise.all(Array.from({ length: workers }, (_, i) => worker(i)));
  return {
    answers,
    issued,
    resolved,
    async stop() {
      running = false;
      await done;
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` is true; returns the milliseconds it took. */
export async function timeUntil(probe: () => boolean, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!probe()) {
    if (Date.now() - t0 > timeoutMs) return Infinity;
    await sleep(25);
  }
  return Date.now() - t0;
}

// ---------------------------------------------------------------------------------
// The invariants, read straight from the database.

export interface Invariants {
  leases: number;
  /** Leases without exactly one lease.granted event. */
  leasesWithoutGrantEvent: string[];
  /** Leases the client was given that are not in the database. */
  issuedButMissing: string[];
  /** Single-use leases resolved more than once (by resolveCount or by events). */
  resolvedTwice: string[];
  /** 200 resolves the client saw without a lease.resolved event. */
  resolvesWithoutEvent: string[];
  /** Client saw two 200s for one single-use lease. */
  clientSawTwice: string[];
}

export async function checkInvariants(databaseUrl: string, orgId: string, load: Load): Promise<Invariants> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const leases = await client.query<{ id: string; granted: number; resolvedEvents: number; resolveCount: number; singleUse: boolean }>(
      `SELECT l.id, l."resolveCount" AS "resolveCount", l."singleUse" AS "singleUse",
              count(e.type) FILTER (WHERE e.type = 'lease.granted')::int AS granted,
              count(e.type) FILTER (WHERE e.type = 'lease.resolved')::int AS "resolvedEvents"
         FROM "Lease" l
         -- Sealed or still pending: the action's own statement wrote it either way.
         LEFT JOIN (SELECT "orgId", "leaseId", "type" FROM "AuditEvent" UNION ALL SELECT "orgId", "leaseId", "type" FROM "AuditPending") e
                ON e."orgId" = l."orgId" AND e."leaseId" = l.id
        WHERE l."orgId" = $1 GROUP BY l.id`,
      [orgId],
    );
    const byId = new Map(leases.rows.map((r) => [r.id, r]));
    return {
      leases: leases.rows.length,
      leasesWithoutGrantEvent: leases.rows.filter((r) => r.granted !== 1).map((r) => r.id),
      issuedButMissing: [...load.issued].filter((id) => !byId.has(id)),
      resolvedTwice: leases.rows.filter((r) => r.singleUse && (r.resolveCount > 1 || r.resolvedEvents > 1)).map((r) => r.id),
      resolvesWithoutEvent: [...load.resolved.keys()].filter((id) => (byId.get(id)?.resolvedEvents ?? 0) < 1),
      clientSawTwice: [...load.resolved].filter(([, n]) => n > 1).map(([id]) => id),
    };
  } finally {
    await client.end();
  }
}

export const uniqueName = (prefix: string) => `${prefix}_${randomBytes(5).toString("hex")}`;
