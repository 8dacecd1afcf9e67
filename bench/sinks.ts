// `npm run bench:sinks`: what audit sinks cost and how they ride out an outage, on the
// production server over this machine's PostgreSQL (a throwaway database), load from
// a separate process (bench/load.ts, autocannon), like bench/run.ts. Prints:
//   1. POST /api/leases throughput at 50 connections with a file sink and an HTTP sink
//      on, against the same server without sinks (runs alternate none, sinks, sinks,
//      none, so drift cancels out). Target ≥ 90 %.
//   2. An HTTP sink outage of 30 s under that load: the lag it builds (from
//      /api/health), how long the sink takes to catch up once back, and a gap check of
//      both sinks (every org's seqs, in order, repeats allowed). Target: no gap.
// Figures only; nothing here is asserted by the test suites.
//
//   npm run bench:sinks                      build, then about 3 minutes
//   npm run bench:sinks -- --reuse-build     serve the existing .next build
//   npm run bench:sinks -- --duration=10     seconds per throughput run (default 15)
//   npm run bench:sinks -- --outage=30       seconds the HTTP sink is away (default 30)
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

process.env.RV_MASTER_KEY ??= randomBytes(32).toString("base64");
process.env.NEXT_TELEMETRY_DISABLED = "1";

const { ensureBuild, startBenchServer } = await import("./lib/server");
const { load: loadPoint } = await import("./lib/run-load");
const { table } = await import("./lib/report");
const { createDatabase, dropDatabase } = await import("../lib/db/scratch-database");
const { applyMigrations } = await import("../lib/db/schema-engine");
const { createPrismaClient, transaction } = await import("../lib/db/prisma");
const { SYSTEM_ACTOR } = await import("../lib/audit/record-audit-event");
const { createOrganization } = await import("../lib/orgs/create-organization");
const { createBot } = await import("../lib/bots/create-bot");
const { createSecret } = await import("../lib/secrets/create-secret");
const { createGrant } = await import("../lib/grants/create-grant");
const pg = (await import("pg")).default;

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? dflt);

const DURATION = option("duration", 15);
const OUTAGE = option("outage", 30);
const CONNECTIONS = 50;
const ORGS = 2;
const BOTS_PER_ORG = 25;
const ADMIN_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const SERVER_ENV = {
  RV_MASTER_KEY: process.env.RV_MASTER_KEY!,
  RV_RATE_LIMIT_BOT_PER_MIN: "100000000",
  RV_RATE_LIMIT_IP_PER_MIN: "100000000",
  RV_RATE_LIMIT_ADMIN_PER_MIN: "100000000",
};

const started = Date.now();
const log = (msg: string) => console.error(`[bench:sinks ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = mkdtempSync(path.join(tmpdir(), "rv-bench-sinks-"));

// ---------------------------------------------------------------------------------
// A lean HTTP sink endpoint: keeps, per org, the highest seq seen and whether any
// record skipped ahead, not the records (tens of thousands of them).

interface Delivery {
  highest: Map<string, number>;
  /** Records whose seq was more than one past the highest before it: [org, expected, got]. */
  jumps: [string, number, number][];
  repeats: number;
  received: number;
}

/** `shipped`: what the sink is known to hold already (per org, up to that seq). */
function newDelivery(shipped = new Map<string, number>()): Delivery {
  return { highest: new Map(shipped), jumps: [], repeats: 0, received: 0 };
}

function note(d: Delivery, orgId: string, seq: number) {
  const top = d.highest.get(orgId) ?? 0;
  d.received++;
  if (seq > top + 1) d.jumps.push([orgId, top + 1, seq]);
  if (seq <= top) d.repeats++;
  else d.highest.set(orgId, seq);
}

/** Orgs whose delivery stops short of their head: [org, first missing seq]. */
function gaps(d: Delivery, heads: Map<string, number>): [string, number][] {
  return [...heads].filter(([orgId, head]) => (d.highest.get(orgId) ?? 0) < head).map(([orgId]) => [orgId, (d.highest.get(orgId) ?? 0) + 1]);
}

async function startReceiver() {
  const sockets = new Set<net.Socket>();
  const r = { url: "", port: 0, delivery: newDelivery(), batches: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        for (const e of JSON.parse(Buffer.concat(chunks).toString("utf8")) as { orgId: string; seq: number }[]) note(r.delivery, e.orgId, e.seq);
        r.batches++;
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      r.port = (server.address() as net.AddressInfo).port;
      r.url = `http://127.0.0.1:${r.port}/ingest`;
      resolve();
    });
  });
  await listen(0);
  return {
    ...r,
    get delivery() {
      return r.delivery;
    },
    reset: (shipped?: Map<string, number>) => void (r.delivery = newDelivery(shipped)),
    down: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
    up: () => listen(r.port),
  };
}

/** Every record of a file sink's files (oldest first), torn lines skipped. */
function fileDelivery(file: string): Delivery {
  const d = newDelivery();
  for (let i = 1000; i >= 0; i--) {
    const f = i === 0 ? file : `${file}.${i}`;
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, "utf8").split("\n")) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as { orgId: string; seq: number };
        note(d, e.orgId, e.seq);
      } catch {
        // torn by a crash; shipped again
      }
    }
  }
  return d;
}

// ---------------------------------------------------------------------------------

async function main() {
  ensureBuild(flag("reuse-build"), log);

  const dbName = `rv_bench_sinks_${randomBytes(4).toString("hex")}`;
  const url = await createDatabase(ADMIN_URL, dbName);
  log(`database ${dbName}`);
  const db = createPrismaClient(url, 4);
  const sql = new pg.Pool({ connectionString: url, max: 2 });
  sql.on("error", () => {});
  const receiver = await startReceiver();
  const servers: { stop(): Promise<void> }[] = [];
  try {
    await applyMigrations(url);

    // Seed through the domain functions: orgs, one secret each, bots with grants.
    const botsFile = path.join(tmp, "bots.json");
    const bots: { token: string; secret: string }[] = [];
    const orgIds: string[] = [];
    for (let o = 0; o < ORGS; o++) {
      const slug = `bench-sinks-${o}-${randomBytes(3).toString("hex")}`;
      const org = await transaction(db, (tx) => createOrganization(tx, { name: slug, slug }));
      orgIds.push(org.id);
      const secret = await transaction(db, (tx) =>
        createSecret(tx, { orgId: org.id, actor: SYSTEM_ACTOR, input: { name: "BENCH_KEY", scope: "production", description: "bench", tags: [], value: `bench-value-${randomBytes(16).toString("hex")}` } }),
      );
      for (let i = 0; i < BOTS_PER_ORG; i++) {
        const { bot, token } = await transaction(db, (tx) => createBot(tx, { orgId: org.id, actor: SYSTEM_ACTOR, input: { name: `bench-bot-${i}`, description: "" } }));
        await transaction(db, (tx) => createGrant(tx, { orgId: org.id, actor: SYSTEM_ACTOR, input: { botId: bot.id, secretId: secret.id, singleUseOnly: false } }));
        bots.push({ token, secret: "BENCH_KEY" });
      }
    }
    writeFileSync(botsFile, JSON.stringify(bots));
    log(`seeded ${ORGS} orgs, ${bots.length} bots`);

    const sinkFile = path.join(tmp, "sink", "audit.jsonl");
    const sinksEnv = {
      RV_AUDIT_SINKS: `file://${sinkFile}?name=local&rotateBytes=64M&keep=1000;${receiver.url}?name=siem&batch=500`,
      RV_AUDIT_ANCHOR_FILE: path.join(tmp, "anchor.jsonl"),
    };
    const noSinksEnv = { RV_AUDIT_ANCHOR_FILE: path.join(tmp, "anchor.jsonl") };

    const health = async (base: string) => (await (await fetch(`${base}/api/health`)).json()) as { auditSinks?: { sinks: { name: string; reachable: boolean; eventsBehind: number; secondsBehind: number; lastError: string | null }[] } };

    /** Each org's sealed head once the sealer has nothing pending. */
    async function heads(): Promise<Map<string, number>> {
      for (let i = 0; i < 400; i++) {
        if ((await sql.query(`SELECT 1 FROM "AuditPending" LIMIT 1`)).rowCount === 0) break;
        await sleep(50);
      }
      const { rows } = await sql.query<{ orgId: string; seq: string }>(`SELECT "orgId", "seq"::text FROM "AuditCheckpoint" WHERE "orgId" = ANY($1)`, [orgIds]);
      return new Map(rows.map((r) => [r.orgId, Number(r.seq)]));
    }

    /** Milliseconds until the sink's cursor reaches `target` for every org (Infinity past the timeout). */
    async function untilShipped(sink: string, target: Map<string, number>, timeoutMs: number): Promise<number> {
      const t0 = Date.now();
      while (Date.now() - t0 < timeoutMs) {
        const { rows } = await sql.query<{ orgId: string; seq: string }>(`SELECT "orgId", "seq"::text FROM "AuditSinkCursor" WHERE "sink" = $1`, [sink]);
        const at = new Map(rows.map((r) => [r.orgId, Number(r.seq)]));
        if ([...target].every(([orgId, seq]) => (at.get(orgId) ?? 0) >= seq)) return Date.now() - t0;
        await sleep(20);
      }
      return Infinity;
    }

    // 1. Throughput with and without sinks -------------------------------------------
    const runs: { sinks: boolean; rps: number; p99: number; errors: number; lagAtEnd?: string; drainMs?: number }[] = [];
    for (const withSinks of [false, true, true, false]) {
      const server = await startBenchServer(url, { ...SERVER_ENV, ...(withSinks ? sinksEnv : noSinksEnv) });
      servers.push(server);
      await loadPoint(tmp, { url: server.url, kind: "lease", connections: 10, duration: 3, botsFile });
      const p = await loadPoint(tmp, { url: server.url, kind: "lease", connections: CONNECTIONS, duration: DURATION, botsFile });
      const run: (typeof runs)[number] = { sinks: withSinks, rps: p.rps, p99: p.p99, errors: p.non2xx + p.errors + p.timeouts };
      if (withSinks) {
        const h = await health(server.url);
        run.lagAtEnd = h.auditSinks!.sinks.map((s) => `${s.name} ${s.eventsBehind} ev / ${s.secondsBehind} s`).join(", ");
        const target = await heads();
        run.drainMs = Math.max(await untilShipped("local", target, 60_000), await untilShipped("siem", target, 60_000));
      }
      runs.push(run);
      log(`lease @ ${CONNECTIONS} ${withSinks ? "with sinks   " : "without sinks"}: ${p.rps.toFixed(0)} req/s, p99 ${p.p99} ms, errors ${run.errors}${withSinks ? `; sink lag at the end ${run.lagAtEnd}, drained in ${run.drainMs} ms` : ""}`);
      await server.stop();
      servers.pop();
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const without = mean(runs.filter((r) => !r.sinks).map((r) => r.rps));
    const withSinks = mean(runs.filter((r) => r.sinks).map((r) => r.rps));
    const ratio = withSinks / without;

    // 2. A 30 s HTTP sink outage under load -----------------------------------------
    const server = await startBenchServer(url, { ...SERVER_ENV, ...sinksEnv });
    servers.push(server);
    // Everything before this run already reached the sink: the check goes on from there.
    const before = await heads();
    await untilShipped("siem", before, 60_000);
    receiver.reset(before);
    const loadSeconds = 5 + OUTAGE + 15;
    log(`outage run: ${loadSeconds} s of lease load, the HTTP sink away from 5 s to ${5 + OUTAGE} s`);
    const outageLoad = loadPoint(tmp, { url: server.url, kind: "lease", connections: CONNECTIONS, duration: loadSeconds, botsFile });
    await sleep(5_000);
    await receiver.down();
    const downAt = Date.now();
    let peak = { eventsBehind: 0, secondsBehind: 0, reachable: true, lastError: null as string | null };
    while (Date.now() - downAt < OUTAGE * 1000) {
      const siem = (await health(server.url)).auditSinks!.sinks.find((s) => s.name === "siem")!;
      if (siem.eventsBehind >= peak.eventsBehind) peak = siem;
      await sleep(1_000);
    }
    await receiver.up();
    const upAt = Date.now();
    const backlog = new Map(
      (await sql.query<{ orgId: string; seq: string }>(`SELECT "orgId", "seq"::text FROM "AuditCheckpoint" WHERE "orgId" = ANY($1)`, [orgIds])).rows.map((r) => [r.orgId, Number(r.seq)]),
    );
    const catchUpMs = await untilShipped("siem", backlog, 120_000);
    log(`HTTP sink back; the ${OUTAGE} s backlog was shipped ${catchUpMs} ms later (under continuing load)`);
    let underOneSecondMs = Infinity;
    while (Date.now() - upAt < 60_000) {
      const siem = (await health(server.url)).auditSinks!.sinks.find((s) => s.name === "siem")!;
      if (siem.reachable && siem.secondsBehind < 1) {
        underOneSecondMs = Date.now() - upAt;
        break;
      }
      await sleep(100);
    }
    const outagePoint = await outageLoad;
    const after = await heads();
    const drainMs = Math.max(await untilShipped("siem", after, 120_000), await untilShipped("local", after, 120_000));

    // Per org, in order with no jump: the HTTP sink from where it stood before this run, the file from seq 1.
    const httpGaps = gaps(receiver.delivery, after);
    const file = fileDelivery(sinkFile);
    const fileGaps = gaps(file, after);
    await server.stop();
    servers.pop();

    // ---------------------------------------------------------------------------------
    const total = [...after.values()].reduce((a, b) => a + b, 0);
    console.log("");
    console.log(`Audit sinks (${new Date().toISOString()}, ${ORGS} orgs, ${bots.length} bots, lease requests at ${CONNECTIONS} connections, ${DURATION} s per run)`);
    console.log("");
    console.log(
      table(
        ["run", "req/s", "p99", "errors", "sink lag at end of load", "drained after"],
        runs.map((r) => [r.sinks ? "file + HTTP sinks" : "no sinks", r.rps.toFixed(0), `${r.p99} ms`, r.errors, r.lagAtEnd ?? "–", r.drainMs === undefined ? "–" : `${r.drainMs} ms`]),
      ),
    );
    console.log("");
    const noGap = httpGaps.length === 0 && receiver.delivery.jumps.length === 0 && fileGaps.length === 0 && file.jumps.length === 0;
    console.log(
      table(
        ["target", "figure", "target value", "met"],
        [
          ["lease throughput with file + HTTP sinks", `${withSinks.toFixed(0)} vs ${without.toFixed(0)} req/s = ${(ratio * 100).toFixed(0)} %`, "≥ 90 % of no sinks", ratio >= 0.9 ? "yes" : "NO"],
          [`HTTP sink outage of ${OUTAGE} s under load`, `lease ${outagePoint.rps.toFixed(0)} req/s through it (errors ${outagePoint.non2xx + outagePoint.errors + outagePoint.timeouts}); peak lag ${peak.eventsBehind} events / ${peak.secondsBehind} s, reachable ${peak.reachable}, last error ${peak.lastError}`, "keeps serving", outagePoint.non2xx + outagePoint.errors + outagePoint.timeouts === 0 ? "yes" : "NO"],
          ["catch-up after the outage", `backlog shipped ${catchUpMs} ms after the sink came back; lag < 1 s after ${underOneSecondMs} ms; all drained ${drainMs} ms after load`, "catches up", Number.isFinite(catchUpMs) ? "yes" : "NO"],
          ["gap check, both sinks", `${total} events in ${ORGS} orgs; HTTP ${receiver.delivery.received} received (${receiver.delivery.repeats} repeats), gaps ${httpGaps.length}, jumps ${receiver.delivery.jumps.length}; file ${file.received} (${file.repeats} repeats), gaps ${fileGaps.length}, jumps ${file.jumps.length}`, "no gap", noGap ? "yes" : "NO"],
        ],
      ),
    );
  } finally {
    for (const s of servers) await s.stop().catch(() => {});
    await receiver.down().catch(() => {});
    await db.$disconnect();
    await sql.end();
    if (!flag("keep-db")) await dropDatabase(ADMIN_URL, dbName).catch((err) => log(`could not drop ${dbName}: ${err}`));
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
