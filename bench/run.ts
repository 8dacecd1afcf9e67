// `npm run bench`: the production server on this machine's PostgreSQL (a dedicated,
// throwaway database), loaded from separate processes, every figure paired with its
// ceiling measured in the same run. Prints one table; writes bench/results.json,
// bench/RESULTS.md and bench/chart.svg.
//
//   npm run bench                       build, then measure (about 6–8 minutes)
//   npm run bench -- --reuse-build      serve the existing .next build
//   npm run bench -- --duration=5       seconds per load point (default 10)
//   npm run bench -- --events=200000    audit events for the timeline (default 1,000,000)
//   npm run bench -- --keep-db          leave the database behind (its name is printed)
//
// DATABASE_URL names the server (default postgresql://postgres@127.0.0.1:5432/postgres,
// a superuser: the bench creates and drops its database and seeds with triggers off).
import { createHash, randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, cpus, totalmem } from "node:os";
import path from "node:path";
import http from "node:http";

process.env.RV_MASTER_KEY ??= randomBytes(32).toString("base64");
process.env.NEXT_TELEMETRY_DISABLED = "1";

const { ROOT, startBenchServer, treeCpuMs, postgresCpuMs, postgresCpuByKind } = await import("./lib/server");
const seed = await import("./lib/seed");
const report = await import("./lib/report");
const { createDatabase, dropDatabase } = await import("../lib/db/scratch-database");
const { applyMigrations } = await import("../lib/db/schema-engine");
const { createPrismaClient, sqlPool, transaction } = await import("../lib/db/prisma");
const { PrismaPg } = await import("@prisma/adapter-pg");
const { PrismaClient } = await import("../lib/generated/prisma/client");
const { requestLease } = await import("../lib/leases/request-lease");
const { resolveLease } = await import("../lib/leases/resolve-lease");
const { countBotRequest } = await import("../lib/abuse/count-bot-request");
const { rateLimitsFromEnv } = await import("../lib/abuse/limits");
const { writePgbenchScripts } = await import("./lib/pgbench-scripts");
const { load: loadPoint, runTsx } = await import("./lib/run-load");
const { measureEmbedded, embeddedRows } = await import("./lib/embedded");
const { listAuditEvents } = await import("../lib/audit/list-audit-events");
const { verifyAuditChain } = await import("../lib/audit/verify-audit-chain");
const pg = (await import("pg")).default;

type LoadPoint = import("./lib/report").LoadPoint;

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? dflt);

const DURATION = option("duration", 10);
const EVENTS = option("events", 1_000_000);
const REVOKE_LEASES = option("revoke-leases", 100_000);
const CONNECTIONS = [10, 50, 100];
const PGBENCH_CLIENTS = [8, 32];
const PGBENCH_SECONDS = 8;
const BOTS = 200;
const TIMELINE_RUNS = 50;
const TIMELINE_BUDGET_MS = 12_000;
const ADMIN_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const PG_BIN = "/usr/lib/postgresql/15/bin";
const SERVER_ENV = {
  RV_MASTER_KEY: process.env.RV_MASTER_KEY!,
  // The bench measures the paths, not the abuse limits: lift them far out of reach.
  RV_RATE_LIMIT_BOT_PER_MIN: "100000000",
  RV_RATE_LIMIT_IP_PER_MIN: "100000000",
  RV_RATE_LIMIT_ADMIN_PER_MIN: "100000000",
};

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;
const log = (msg: string) => console.error(`[bench ${elapsed().padStart(4)}] ${msg}`);
const tmp = mkdtempSync(path.join(tmpdir(), "rv-bench-"));

const results: Record<string, any> = {
  startedAt: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
  settings: { durationSeconds: DURATION, connections: CONNECTIONS, bots: BOTS, events: EVENTS, revokeLeases: REVOKE_LEASES, pgbenchSeconds: PGBENCH_SECONDS, dbPoolSize: Number(process.env.RV_DB_POOL_SIZE ?? 10) },
};
const targets: { name: string; target: string; actual: string; ok: boolean; note?: string }[] = [];

function quantile(sorted: number[], q: number) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const load = (cfg: Record<string, unknown>) => loadPoint(tmp, cfg);

function httpJson(method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; body: any; ms: number }> {
  const t0 = performance.now();
  return fetch(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(60_000),
  }).then(async (res) => {
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, ms: performance.now() - t0 };
  });
}

function pgbench(dbName: string, script: string, clients: number, defines: Record<string, string | number>) {
  const u = new URL(ADMIN_URL);
  const argv = ["-n", "-M", "prepared", "-c", String(clients), "-j", "2", "-T", String(PGBENCH_SECONDS), "-f", script,
    "-h", u.hostname, "-p", u.port || "5432", "-U", decodeURIComponent(u.username || "postgres"),
    ...Object.entries(defines).flatMap(([k, v]) => ["-D", `${k}=${v}`]), dbName];
  const env = { ...process.env, ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}) };
  const bin = existsSync(path.join(PG_BIN, "pgbench")) ? path.join(PG_BIN, "pgbench") : "pgbench";
  const r = spawnSync(bin, argv, { env, encoding: "utf8", timeout: (PGBENCH_SECONDS + 30) * 1000 });
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(r.stdout ?? "")?.[1];
  const lat = /latency average = ([\d.]+) ms/.exec(r.stdout ?? "")?.[1];
  const failed = /number of failed transactions: (\d+)/.exec(r.stdout ?? "")?.[1];
  if (!tps) throw new Error(`pgbench failed (${r.status}): ${(r.stderr || r.stdout || "").slice(-1500)}`);
  return { clients, tps: Number(tps), latencyAvgMs: Number(lat), failed: Number(failed ?? 0) };
}

/**
 * Counts what one call costs in database round trips, wrapper included, by counting
 * every query any pg client sends (Prisma's and the hot paths' raw SQL alike).
 */
async function roundTrips(url: string, bot: { token: string; secret: string }) {
  const db = createPrismaClient(url, 2);
  let sent = 0;
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    sent++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    const limits = rateLimitsFromEnv();
    const counted = await countBotRequest(sqlPool(db), { tokenHash: hashOf(bot.token), ip: "127.0.0.1", limits });
    const lease = (await requestLease(db, { bot: counted.bot!, input: { secret: bot.secret, scope: "production", justification: "Round-trip count (bench)", singleUse: true } })) as { id: string; leaseToken: string };
    const leaseCount = sent;
    sent = 0;
    await resolveLease(db, { leaseId: lease.id, leaseToken: lease.leaseToken, ip: "127.0.0.1", budget: { limits, route: "POST /api/leases/{id}/resolve" } });
    return { lease: leaseCount, resolve: sent };
  } finally {
    pg.Client.prototype.query = original;
    await db.$disconnect();
  }
}

async function main() {
  // 1. Build -----------------------------------------------------------------------
  if (flag("reuse-build") && existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    log("reusing the existing production build (.next)");
  } else {
    log("building (npm run build)…");
    const b = spawnSync("npm", ["run", "build"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (b.status !== 0) throw new Error(`build failed:\n${(b.stdout + b.stderr).slice(-4000)}`);
  }

  // 2. Database ----------------------------------------------------------------------
  const dbName = `rv_bench_${randomBytes(4).toString("hex")}`;
  const url = await createDatabase(ADMIN_URL, dbName);
  results.database = dbName;
  log(`database ${dbName}`);
  const servers: { stop(): Promise<void> }[] = [];
  const db = createPrismaClient(url, 8);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client's error (e.g. the database dropped at the end) must not crash the run.
  pool.on("error", () => {});
  try {
    await applyMigrations(url);

    // 3. Seed ------------------------------------------------------------------------
    const main = await seed.seedOrg(db, "main");
    const bots = await seed.seedBotsAndSecrets(db, main, BOTS, 4);
    writeFileSync(path.join(tmp, "bots.json"), JSON.stringify(bots.map((b) => ({ token: b.token, secret: b.secret }))));
    // Enough fresh single-use leases for every resolve the load can send (≤ 1,500 req/s).
    const RESOLVE_LEASES = Math.ceil(1500 * (DURATION * CONNECTIONS.length + 6));
    await seed.insertLeases(pool, main.orgId, bots, RESOLVE_LEASES, { singleUse: true, file: path.join(tmp, "leases.txt") });
    log(`seeded org with ${BOTS} bots, 4 secrets, ${BOTS} grants, ${RESOLVE_LEASES} single-use leases`);
    results.roundTrips = await roundTrips(url, bots[0]);

    // 4. HTTP load: health (ceiling), lease, resolve at each concurrency ---------------
    const a = await startBenchServer(url, SERVER_ENV);
    servers.push(a);
    let offset = 0;
    const common = { url: a.url, botsFile: path.join(tmp, "bots.json"), leasesFile: path.join(tmp, "leases.txt") };
    log("warming up (2 s per route)");
    for (const kind of ["health", "lease", "resolve"] as const) {
      const w = await load({ ...common, kind, connections: 10, duration: 2, offset });
      if (kind === "resolve") offset += w.used;
    }
    const points: LoadPoint[] = [];
    for (const connections of CONNECTIONS) {
      for (const kind of ["health", "lease", "resolve"] as const) {
        const cpu0 = { app: treeCpuMs(a.child.pid!), db: postgresCpuMs(), kinds: postgresCpuByKind() };
        const p = await load({ ...common, kind, connections, duration: DURATION, offset });
        p.appCpuMs = (treeCpuMs(a.child.pid!) - cpu0.app) / Math.max(1, p.requests);
        p.dbCpuMs = (postgresCpuMs() - cpu0.db) / Math.max(1, p.requests);
        const kinds = [...postgresCpuByKind()].map(([k, v]) => `${k} ${((v - (cpu0.kinds.get(k) ?? 0)) / Math.max(1, p.requests)).toFixed(2)}`);
        log(`  PostgreSQL CPU ms/req by process: ${kinds.filter((k) => !k.endsWith(" 0.00")).join(", ")}`);
        if (kind === "resolve") offset += p.used;
        points.push(p);
        log(`${kind.padEnd(7)} @ ${String(connections).padStart(3)}: ${p.rps.toFixed(0)} req/s, p50 ${p.p50} ms, p99 ${p.p99} ms, CPU/req app ${p.appCpuMs.toFixed(2)} ms db ${p.dbCpuMs.toFixed(2)} ms, errors ${p.non2xx + p.errors + p.timeouts}`);
      }
    }
    results.load = points;
    const at50 = (k: string) => points.find((p) => p.kind === k && p.connections === 50)!;
    for (const kind of ["lease", "resolve"]) {
      const ratio = at50(kind).rps / at50("health").rps;
      const p99 = at50(kind).p99 / Math.max(1, at50("health").p99);
      targets.push({ name: `${kind} throughput @50 vs bare route`, target: "≥ 70%", actual: report.pct(ratio), ok: ratio >= 0.7, note: ratio >= 0.7 ? undefined : `missed by ${((0.7 - ratio) * 100).toFixed(0)} points` });
      targets.push({ name: `${kind} p99 @50 vs bare route`, target: "≤ 2×", actual: `${p99.toFixed(2)}×`, ok: p99 <= 2, note: p99 <= 2 ? undefined : `${(p99 / 2).toFixed(1)}× over the limit` });
    }
    // autocannon stops waiting at the deadline, but the server finishes what it accepted:
    // let those transactions land before verifying (verify reads a moving head otherwise).
    await new Promise((r) => setTimeout(r, 3_000));
    const chain = await verifyAuditChain(db, { orgId: main.orgId });
    results.mainChainAfterLoad = chain;
    targets.push({ name: "audit chain of the loaded org verifies", target: "ok", actual: chain.ok ? `ok (${chain.checked} events)` : `broken at ${(chain as { brokenAt: number }).brokenAt}`, ok: chain.ok });

    // 5. Two app instances on one database ----------------------------------------------
    log("second app instance");
    const b = await startBenchServer(url, SERVER_ENV);
    servers.push(b);
    const bot = bots[1];
    const leaseBody = { secret: bot.secret, scope: "production", justification: "Cross-instance check (bench)", singleUse: true };
    const l1 = await httpJson("POST", `${a.url}/api/leases`, bot.token, leaseBody);
    const r1 = await httpJson("POST", `${b.url}/api/leases/${l1.body.id}/resolve`, l1.body.leaseToken);
    const l2 = await httpJson("POST", `${a.url}/api/leases`, bot.token, { ...leaseBody, singleUse: false });
    const rv = await httpJson("POST", `${b.url}/api/v1/leases/${l2.body.id}/revoke`, main.adminToken, { reason: "cross-instance revoke (bench)" });
    const r2 = await httpJson("POST", `${a.url}/api/leases/${l2.body.id}/resolve`, l2.body.leaseToken);
    // The event stream on B sees an event caused on A.
    const stream = await eventSeenAcross(b.url, a.url, main.adminToken, bot);
    results.twoInstances = {
      leaseOnAResolvesOnB: l1.status === 201 && r1.status === 200,
      revokeOnBHoldsOnA: rv.status === 200 && r2.status === 410 && r2.body?.error?.code === "lease_revoked",
      resolveAfterRevokeStatus: r2.status,
      eventStream: stream,
    };
    targets.push({ name: "lease on A resolves on B", target: "200", actual: `${l1.status} → ${r1.status}`, ok: results.twoInstances.leaseOnAResolvesOnB });
    targets.push({ name: "revoke on B holds on A at once", target: "410 lease_revoked", actual: `${r2.status} ${r2.body?.error?.code ?? ""}`, ok: results.twoInstances.revokeOnBHoldsOnA });
    targets.push({ name: "event stream on B sees A's lease", target: "seen", actual: stream.seen ? `seen in ${stream.ms.toFixed(0)} ms` : (stream.note ?? "not seen"), ok: stream.seen });

    // 6. pgbench: the database ceiling of the same SQL ----------------------------------
    log("pgbench");
    await pool.query(`CREATE TABLE bench_bots AS SELECT row_number() OVER () AS n, t.*, g."id" AS "grantId"
                        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t("botId", "tokenHash", "secretId", "secretName")
                        JOIN "Grant" g ON g."botId" = t."botId" AND g."secretId" = t."secretId"`, [
      bots.map((x) => x.botId), bots.map((x) => hashOf(x.token)), bots.map((x) => x.secretId), bots.map((x) => x.secret),
    ]);
    const multi = await seed.insertLeases(pool, main.orgId, bots, 2000, { singleUse: false });
    await pool.query(`CREATE TABLE bench_leases AS SELECT row_number() OVER () AS n, t.id, t.th, l."botId" AS bot, l."secretId", l."secretName"
                        FROM unnest($1::text[], $2::text[]) AS t(id, th) JOIN "Lease" l ON l.id = t.id`, [multi.map((m) => m[0]), multi.map((m) => hashOf(m[1]))]);
    await pool.query("ANALYZE");
    // Written beside the bench for readers too: they are the app's statements, made from lib/.
    writePgbenchScripts(path.join(ROOT, "bench/pgbench"));
    const defines = { org: main.orgId, nbots: BOTS, nleases: multi.length };
    results.pgbench = {
      lease: PGBENCH_CLIENTS.map((c) => pgbench(dbName, path.join(ROOT, "bench/pgbench/lease.sql"), c, defines)),
      resolve: PGBENCH_CLIENTS.map((c) => pgbench(dbName, path.join(ROOT, "bench/pgbench/resolve.sql"), c, defines)),
    };
    for (const k of ["lease", "resolve"] as const) for (const r of results.pgbench[k]) log(`pgbench ${k} c=${r.clients}: ${r.tps.toFixed(0)} tps, avg ${r.latencyAvgMs} ms`);

    // 7. Revoke-all over many active leases -------------------------------------------
    log(`revoke-all over ${REVOKE_LEASES} leases`);
    const rorg = await seed.seedOrg(db, "revoke");
    const [rbot] = await seed.seedBotsAndSecrets(db, rorg, 1, 1);
    await seed.insertBulkLeases(pool, rorg.orgId, rbot, REVOKE_LEASES - 1);
    const live = await httpJson("POST", `${a.url}/api/leases`, rbot.token, { secret: rbot.secret, scope: "production", justification: "The lease an incident must kill (bench)" });
    await pool.query(`ANALYZE "Lease"`);
    const active = Number((await pool.query(`SELECT count(*) FROM "Lease" WHERE "orgId" = $1 AND status = 'active'`, [rorg.orgId])).rows[0].count);
    const revoke = await httpJson("POST", `${a.url}/api/v1/leases/revoke`, rorg.adminToken, { all: true, reason: "suspected leak (bench)" });
    const after = await httpJson("POST", `${b.url}/api/leases/${live.body.id}/resolve`, live.body.leaseToken);
    results.revokeAll = { active, status: revoke.status, revoked: revoke.body?.revoked, seconds: revoke.ms / 1000, resolveAfter: { status: after.status, code: after.body?.error?.code } };
    targets.push({ name: `revoke-all over ${active.toLocaleString("en")} active leases`, target: "≤ 5 s", actual: `${(revoke.ms / 1000).toFixed(2)} s (${revoke.body?.revoked} revoked)`, ok: revoke.status === 200 && revoke.ms <= 5000 && revoke.body?.revoked === active, note: revoke.ms > 5000 ? `${((revoke.ms - 5000) / 1000).toFixed(2)} s over` : undefined });
    targets.push({ name: "resolve right after revoke-all (other instance)", target: "410 lease_revoked", actual: `${after.status} ${after.body?.error?.code ?? ""}`, ok: after.status === 410 && after.body?.error?.code === "lease_revoked" });

    // 8. Audit timeline at scale -----------------------------------------------------
    log(`seeding ${EVENTS.toLocaleString("en")} audit events`);
    const torg = await seed.seedOrg(db, "timeline");
    const adminPool = new pg.Pool({ connectionString: url, max: 1 });
    adminPool.on("error", () => {});
    const t0 = performance.now();
    await seed.insertTimeline(adminPool, torg.orgId, EVENTS, (n) => log(`  ${n.toLocaleString("en")} events`));
    await adminPool.end();
    results.timelineSeedSeconds = (performance.now() - t0) / 1000;
    const day = 86_400_000;
    const now = Date.now();
    const window = { from: new Date(now - 46 * day).toISOString(), to: new Date(now - 45 * day).toISOString() };
    const filters: { name: string; q: Record<string, string> }[] = [
      { name: "none (newest first)", q: {} },
      { name: "bot", q: { botId: seed.timelineBot(7) } },
      { name: "secret", q: { secretId: seed.timelineSecret(42) } },
      { name: "type (lease.denied, 8%)", q: { type: "lease.denied" } },
      { name: "type (bot.frozen, 0.1%)", q: { type: "bot.frozen" } },
      { name: "time range (1 day, 45 days ago)", q: window },
      { name: "bot + type + time range", q: { botId: seed.timelineBot(7), type: "lease.granted", from: new Date(now - 60 * day).toISOString(), to: new Date(now - 30 * day).toISOString() } },
      { name: `justification text, common ("${seed.TIMELINE.common}")`, q: { q: seed.TIMELINE.common } },
      { name: `justification text, rare (0.01%)`, q: { q: seed.TIMELINE.rare } },
    ];
    const timeline: any[] = [];
    for (const f of filters) {
      const direct: number[] = [], overHttp: number[] = [];
      let count = 0;
      const qs = new URLSearchParams({ ...f.q, limit: "100" }).toString();
      // 50 runs, unless a filter is so slow that 50 would blow the run's time budget.
      const budgetEnds = Date.now() + TIMELINE_BUDGET_MS;
      for (let i = 0; i < TIMELINE_RUNS && (i < 5 || Date.now() < budgetEnds); i++) {
        const s0 = performance.now();
        const page = await listAuditEvents(db, { orgId: torg.orgId, limit: 100, ...f.q } as Parameters<typeof listAuditEvents>[1]);
        direct.push(performance.now() - s0);
        count = page.events.length;
        const h = await httpJson("GET", `${a.url}/api/v1/audit?${qs}`, torg.adminToken);
        if (h.status !== 200) throw new Error(`audit list ${f.name}: ${h.status} ${JSON.stringify(h.body)}`);
        overHttp.push(h.ms);
      }
      direct.sort((x, y) => x - y);
      overHttp.sort((x, y) => x - y);
      const row = { filter: f.name, rows: count, runs: direct.length, direct: { p50: quantile(direct, 0.5), p95: quantile(direct, 0.95) }, http: { p50: quantile(overHttp, 0.5), p95: quantile(overHttp, 0.95) } };
      timeline.push(row);
      log(`timeline ${f.name}: ${row.rows} rows, direct p50 ${row.direct.p50.toFixed(1)} / p95 ${row.direct.p95.toFixed(1)} ms, http p95 ${row.http.p95.toFixed(1)} ms`);
      targets.push({ name: `timeline first page: ${f.name}`, target: "p95 ≤ 50 ms", actual: `${row.direct.p95.toFixed(1)} ms (HTTP ${row.http.p95.toFixed(1)} ms)`, ok: row.direct.p95 <= 50, note: row.direct.p95 > 50 ? `${(row.direct.p95 - 50).toFixed(0)} ms over` : undefined });
    }
    results.timeline = timeline;

    // 9. CSV export of all events: memory ----------------------------------------------
    log("CSV export, in its own process");
    const exp = JSON.parse((await runTsx("bench/export-memory.ts", [url, torg.orgId])).trim().split("\n").pop()!);
    log(`export: ${exp.rows} rows, ${(exp.bytes / 2 ** 20).toFixed(0)} MiB in ${exp.seconds.toFixed(1)} s, RSS growth ${(exp.growth / 2 ** 20).toFixed(1)} MiB`);
    // The same with V8's old space capped: if the export only holds a batch at a time it
    // still completes, and the growth left is the working set rather than uncollected garbage.
    const capped = JSON.parse((await runTsx("bench/export-memory.ts", [url, torg.orgId], { NODE_OPTIONS: "--max-old-space-size=64" })).trim().split("\n").pop()!);
    log(`export, old space capped at 64 MB: ${capped.rows} rows in ${capped.seconds.toFixed(1)} s, RSS growth ${(capped.growth / 2 ** 20).toFixed(1)} MiB, peak heap used ${(capped.peakHeapUsed / 2 ** 20).toFixed(1)} MiB`);
    log("CSV export over HTTP (server memory sampled)");
    const httpExp = await exportOverHttp(b.url, torg.adminToken, () => b.rss());
    log(`export over HTTP: ${httpExp.status} ${(httpExp.bytes / 2 ** 20).toFixed(0)} MiB in ${httpExp.seconds.toFixed(1)} s, server RSS growth ${(httpExp.growth / 2 ** 20).toFixed(1)} MiB`);
    results.export = { direct: exp, directCapped: capped, http: httpExp };
    targets.push({ name: `CSV export of ${EVENTS.toLocaleString("en")} events, memory growth (own process)`, target: "< 100 MB", actual: `${(exp.growth / 1e6).toFixed(1)} MB (heap used ≤ ${(exp.peakHeapUsed / 1e6).toFixed(0)} MB), ${exp.rows.toLocaleString("en")} rows in ${exp.seconds.toFixed(1)} s`, ok: exp.growth < 100e6 && exp.rows >= EVENTS });
    targets.push({ name: "CSV export, own process, old space capped at 64 MB", target: "< 100 MB", actual: `${(capped.growth / 1e6).toFixed(1)} MB (heap used ≤ ${(capped.peakHeapUsed / 1e6).toFixed(0)} MB), ${capped.rows.toLocaleString("en")} rows in ${capped.seconds.toFixed(1)} s`, ok: capped.growth < 100e6 && capped.rows >= EVENTS });
    targets.push({ name: "CSV export over HTTP, server memory growth", target: "< 100 MB", actual: `${(httpExp.growth / 1e6).toFixed(1)} MB, ${(httpExp.bytes / 1e6).toFixed(0)} MB sent in ${httpExp.seconds.toFixed(1)} s`, ok: httpExp.status === 200 && httpExp.growth < 100e6 });

    // 10. The embedded database (npm start without DATABASE_URL) ------------------------
    log("embedded database");
    for (const s of servers) await s.stop();
    results.embedded = await measureEmbedded({ tmp, env: SERVER_ENV, duration: DURATION, log });
  } finally {
    for (const s of servers) await s.stop();
    await db.$disconnect();
    await pool.end();
    if (!flag("keep-db")) await dropDatabase(ADMIN_URL, dbName);
    rmSync(tmp, { recursive: true, force: true });
  }
  results.targets = targets;
  results.totalSeconds = (Date.now() - started) / 1000;
  write();
}

function hashOf(token: string) {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

async function eventSeenAcross(streamUrl: string, actUrl: string, adminToken: string, bot: { token: string; secret: string }) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), 8_000);
  try {
    const res = await fetch(`${streamUrl}/api/v1/events`, { headers: { authorization: `Bearer ${adminToken}` }, signal: ctrl.signal });
    if (res.status !== 200 || !res.body) return { seen: false, ms: 0, note: `stream answered ${res.status}` };
    const reader = res.body.getReader();
    const t0 = performance.now();
    const lease = await httpJson("POST", `${actUrl}/api/leases`, bot.token, { secret: bot.secret, scope: "production", justification: "Event stream check (bench)" });
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      if (text.includes(lease.body.id)) return { seen: true, ms: performance.now() - t0 };
    }
    return { seen: false, ms: 0, note: "stream ended" };
  } catch (err) {
    return { seen: false, ms: 0, note: ctrl.signal.aborted ? "not seen within 8 s" : String(err) };
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
}

function exportOverHttp(baseUrl: string, token: string, rss: () => number): Promise<{ status: number; bytes: number; seconds: number; baselineRss: number; peakRss: number; growth: number }> {
  return new Promise((resolve, reject) => {
    const baseline = rss();
    let peak = baseline;
    const timer = setInterval(() => (peak = Math.max(peak, rss())), 100);
    const t0 = performance.now();
    http
      .get(`${baseUrl}/api/v1/audit/export?format=csv`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
        let bytes = 0;
        res.on("data", (d: Buffer) => (bytes += d.length));
        res.on("end", () => {
          clearInterval(timer);
          resolve({ status: res.statusCode ?? 0, bytes, seconds: (performance.now() - t0) / 1000, baselineRss: baseline, peakRss: peak, growth: peak - baseline });
        });
        res.on("error", reject);
      })
      .on("error", (e) => {
        clearInterval(timer);
        reject(e);
      });
  });
}

function write() {
  const loadT = report.loadRows(results.load);
  const pgRows = (["lease", "resolve"] as const).flatMap((k) =>
    results.pgbench[k].map((r: { clients: number; tps: number; latencyAvgMs: number; failed: number }) => {
      const best = Math.max(...results.load.filter((p: LoadPoint) => p.kind === k).map((p: LoadPoint) => p.rps));
      return [k === "lease" ? "lease SQL (pgbench)" : "resolve SQL (pgbench)", r.clients, report.fmt(r.tps), report.fmt(r.latencyAvgMs, 2), `${report.pct(best / r.tps)} (best HTTP ${report.fmt(best)} req/s)`, r.failed];
    }),
  );
  const pgT = { headers: ["database ceiling", "clients", "tx/s", "avg ms", "HTTP path reaches", "failed"], rows: pgRows };
  const tlT = {
    headers: [`timeline filter (${EVENTS.toLocaleString("en")} events)`, "rows", "runs", "p50 ms", "p95 ms", "HTTP p50 ms", "HTTP p95 ms"],
    rows: results.timeline.map((t: any) => [t.filter, t.rows, t.runs, report.fmt(t.direct.p50, 1), report.fmt(t.direct.p95, 1), report.fmt(t.http.p50, 1), report.fmt(t.http.p95, 1)]),
  };
  const emT = results.embedded ? embeddedRows(results.embedded) : null;
  const tgT = { headers: ["target", "wanted", "measured", "met"], rows: targets.map((t) => [t.name, t.target, t.actual + (t.note ? ` — ${t.note}` : ""), t.ok ? "yes" : "**no**"]) };
  const text = [
    report.table(loadT.headers, loadT.rows),
    "",
    report.table(pgT.headers, pgT.rows),
    "",
    report.table(tlT.headers, tlT.rows),
    "",
    ...(emT ? [report.table(emT.headers, emT.rows), ""] : []),
    report.table(tgT.headers, tgT.rows),
  ].join("\n");
  console.log("\n" + text + "\n");
  writeFileSync(path.join(ROOT, "bench", "results.json"), JSON.stringify(results, (_k, v) => (typeof v === "bigint" ? Number(v) : v), 2) + "\n");
  writeFileSync(path.join(ROOT, "bench", "chart.svg"), report.chartSvg(results.load, `Runtime Vault — ${new Date(results.startedAt).toISOString().slice(0, 10)}, ${results.machine.cpus} cores`));
  const notes = readNotes();
  const md = [
    "# Benchmark results",
    "",
    `Generated by \`npm run bench\` on ${results.startedAt} (${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}, ` +
      `${DURATION} s per load point, total run ${results.totalSeconds.toFixed(0)} s). Every HTTP figure is paired with the bare route ` +
      "(`GET /api/health`, no database) measured in the same run at the same concurrency, and every database figure with pgbench " +
      "running the same SQL, so the ratios mean something on a noisy machine. Raw numbers: [results.json](results.json).",
    "",
    "![Throughput and p99 per concurrency](chart.svg)",
    "",
    "## HTTP hot paths",
    "",
    report.table(loadT.headers, loadT.rows),
    "",
    `Round trips per call, counted at the pg client (route wrapper included): lease request ${results.roundTrips.lease} ` +
      "(token lookup + rate-limit bump in one statement; the checks; the lease and its audit event in one statement), " +
      `resolve ${results.roundTrips.resolve} (the lease with its newest version, plus the rate-limit bump for its bot; the claim and its audit event in one statement). ` +
      "Each is autocommitted: no BEGIN/COMMIT round trips, and the org's audit lock is held only inside one statement. " +
      "The pgbench scripts (bench/pgbench/) are made from the same SQL constants.",
    "",
    "## Database ceiling (pgbench, the same statements)",
    "",
    report.table(pgT.headers, pgT.rows),
    "",
    `## Audit timeline at ${EVENTS.toLocaleString("en")} events (first page of 100; 50 runs each, fewer when one filter would exceed ${TIMELINE_BUDGET_MS / 1000} s)`,
    "",
    report.table(tlT.headers, tlT.rows),
    "",
    ...(emT
      ? ["## Embedded database (`npm start` without DATABASE_URL)", "", report.table(emT.headers, emT.rows), "",
         "The same server, seed and load generator on PGlite, served as `npm start` serves it; ratios are to the bare route on that server in the same run.", ""]
      : []),
    "## Targets",
    "",
    report.table(tgT.headers, tgT.rows),
    "",
    notes,
  ].join("\n");
  writeFileSync(path.join(ROOT, "bench", "RESULTS.md"), md);
  log(`wrote bench/results.json, bench/RESULTS.md, bench/chart.svg in ${elapsed()}`);
}

/** Hand-written analysis kept beside the generated tables (bench/NOTES.md). */
function readNotes() {
  const file = path.join(ROOT, "bench", "NOTES.md");
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
