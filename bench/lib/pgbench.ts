// pgbench against the bench database: the tables its scripts pick bots and leases from,
// one run of a script, and the lease statement three ways at each client count.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import type pg from "pg";
import { createOldChain } from "./old-chain";
import { LEASE_STATEMENT_FILES, type LeaseStatementKind } from "./pgbench-scripts";
import type { SeededBot } from "./seed";

const PG_BIN = "/usr/lib/postgresql/15/bin";

export interface PgbenchRun {
  clients: number;
  tps: number;
  latencyAvgMs: number;
  failed: number;
}

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/** bench_bots (n → bot, its token hash, secret and grant), bench_leases (n → a multi-use lease) and the old chain's schema. */
export async function preparePgbench(pool: pg.Pool, orgId: string, bots: SeededBot[], multiUse: [string, string][]) {
  await pool.query(
    `CREATE TABLE bench_bots AS SELECT row_number() OVER () AS n, t.*, g."id" AS "grantId"
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t("botId", "tokenHash", "secretId", "secretName")
       JOIN "Grant" g ON g."botId" = t."botId" AND g."secretId" = t."secretId"`,
    [bots.map((x) => x.botId), bots.map((x) => sha256(x.token)), bots.map((x) => x.secretId), bots.map((x) => x.secret)],
  );
  await pool.query(
    `CREATE TABLE bench_leases AS SELECT row_number() OVER () AS n, t.id, t.th, l."botId" AS bot, l."secretId", l."secretName"
       FROM unnest($1::text[], $2::text[]) AS t(id, th) JOIN "Lease" l ON l.id = t.id`,
    [multiUse.map((m) => m[0]), multiUse.map((m) => sha256(m[1]))],
  );
  await pool.query(`ALTER TABLE bench_bots ADD PRIMARY KEY (n); ALTER TABLE bench_leases ADD PRIMARY KEY (n)`);
  await createOldChain(pool, orgId);
  await pool.query("ANALYZE");
}

/** One pgbench run (asynchronous, so the bench's samplers keep running meanwhile). */
export async function pgbench(adminUrl: string, dbName: string, script: string, clients: number, seconds: number, defines: Record<string, string | number>): Promise<PgbenchRun> {
  const u = new URL(adminUrl);
  const argv = ["-n", "-M", "prepared", "-c", String(clients), "-j", "2", "-T", String(seconds), "-f", script,
    "-h", u.hostname, "-p", u.port || "5432", "-U", decodeURIComponent(u.username || "postgres"),
    ...Object.entries(defines).flatMap(([k, v]) => ["-D", `${k}=${v}`]), dbName];
  const env = { ...process.env, ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}) };
  const bin = existsSync(path.join(PG_BIN, "pgbench")) ? path.join(PG_BIN, "pgbench") : "pgbench";
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(bin, argv, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), (seconds + 30) * 1000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1];
  const lat = /latency average = ([\d.]+) ms/.exec(stdout)?.[1];
  const failed = /number of failed transactions: (\d+)/.exec(stdout)?.[1];
  if (!tps) throw new Error(`pgbench ${path.basename(script)} failed (${code}): ${(stderr || stdout).slice(-1500)}`);
  return { clients, tps: Number(tps), latencyAvgMs: Number(lat), failed: Number(failed ?? 0) };
}

export type LeaseStatementResults = Record<LeaseStatementKind, PgbenchRun[]>;

/**
 * The lease statement today, the old chained one and the no-audit ceiling, interleaved
 * per client count (new, old, ceiling at 8, then at 32) so that a burst of load on the
 * machine hits all three alike. `during` wraps each run of today's statement (the
 * unsealed-window sampler: the app's sealer runs meanwhile).
 */
export async function measureLeaseStatement(
  run: (script: string, clients: number) => Promise<PgbenchRun>,
  dir: string,
  clientCounts: number[],
  during: <T>(label: string, fn: () => Promise<T>) => Promise<T>,
): Promise<LeaseStatementResults> {
  const out: LeaseStatementResults = { new: [], old: [], plain: [] };
  for (const clients of clientCounts) {
    for (const kind of ["new", "old", "plain"] as const) {
      const script = path.join(dir, LEASE_STATEMENT_FILES[kind]);
      out[kind].push(kind === "new" ? await during(`pgbench lease statement c=${clients}`, () => run(script, clients)) : await run(script, clients));
    }
  }
  return out;
}

/** Issue 11's three targets on the lease statement, each against its same-run baseline. */
export function leaseStatementTargets(r: LeaseStatementResults, hi: number, lo: number): import("./targets").Target[] {
  const at = (kind: LeaseStatementKind, c: number) => r[kind].find((x) => x.clients === c)!.tps;
  const tps = (n: number) => `${n.toFixed(0)} tx/s`;
  const vsOld = at("new", hi) / at("old", hi);
  const vsPlain = at("new", hi) / at("plain", hi);
  const scale = at("new", hi) / at("new", lo);
  const plainScale = at("plain", hi) / at("plain", lo);
  const group = "issue 11";
  return [
    {
      group, name: `pgbench lease statement @${hi} vs today's (old chained) statement`, wanted: "≥ 3×",
      measured: `${vsOld.toFixed(2)}× (${tps(at("new", hi))})`, baseline: `old chain @${hi}: ${tps(at("old", hi))} (@${lo}: ${tps(at("old", lo))})`,
      ok: vsOld >= 3, note: vsOld >= 3 ? undefined : `${(3 / vsOld).toFixed(2)}× short`,
    },
    {
      group, name: `pgbench lease statement @${hi} vs plain lease insert without audit`, wanted: "≥ 50%",
      measured: `${(vsPlain * 100).toFixed(0)}% (${tps(at("new", hi))})`, baseline: `ceiling @${hi}: ${tps(at("plain", hi))} (@${lo}: ${tps(at("plain", lo))})`,
      ok: vsPlain >= 0.5, note: vsPlain >= 0.5 ? undefined : `missed by ${((0.5 - vsPlain) * 100).toFixed(0)} points`,
    },
    {
      // Noise between two 8-second runs on this shared machine is a few per cent either way.
      group, name: `pgbench lease statement, ${lo} → ${hi} clients`, wanted: "no drop (≥ 0.95×)",
      measured: `${scale.toFixed(2)}× (${tps(at("new", lo))} → ${tps(at("new", hi))})`, baseline: `ceiling ${lo} → ${hi}: ${plainScale.toFixed(2)}×`,
      ok: scale >= 0.95, note: scale >= 0.95 ? undefined : `${((1 - scale) * 100).toFixed(0)}% drop`,
    },
  ];
}
