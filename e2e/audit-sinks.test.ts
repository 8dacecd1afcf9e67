// Audit sinks, black box: the production server ships to a file sink and an HTTP sink
// (a real local endpoint) while bots request and resolve leases. The server is killed
// with SIGKILL mid-shipping and started again, the HTTP sink goes away for 5 s under load
// and comes back: afterwards both sinks hold every event of every org, in order, with
// no gap (repeats allowed: at least once). In fail-closed mode a resolve is refused with
// 503 audit_sink_unavailable while the required sink is down, and works once it is back.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedBot, seedGrant, seedOrg, seedSecret } from "../test/fixtures";
import { checkDelivery, readFileSink, startHttpReceiver, type HttpReceiver } from "../test/audit-sink-receivers";
import { sleep, startApp, startLoad, timeUntil, type App } from "./fault-harness";

let db: TestDatabase;
let sql: pg.Client;
let app: App | undefined;
let receiver: HttpReceiver;
let dir: string;
let file: string;
const orgIds: string[] = [];
const bots: { token: string; secret: string; scope: string }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  dir = mkdtempSync(path.join(tmpdir(), "rv-e2e-sinks-"));
  file = path.join(dir, "sink", "audit.jsonl");
  receiver = await startHttpReceiver();
  for (let o = 0; o < 2; o++) {
    const { orgId } = await seedOrg(db.prisma);
    orgIds.push(orgId);
    const { secret } = await seedSecret(db.prisma, orgId, { scope: "production" });
    for (let i = 0; i < 2; i++) {
      const bot = await seedBot(db.prisma, orgId);
      await seedGrant(db.prisma, orgId, bot.bot.id, secret.id);
      bots.push({ token: bot.token, secret: secret.name, scope: "production" });
    }
  }
});

afterAll(async () => {
  await app?.stop();
  await receiver?.close();
  await sql?.end();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function serverEnv(extra: Record<string, string> = {}) {
  return {
    RV_MASTER_KEY: process.env.RV_MASTER_KEY,
    RV_AUDIT_ANCHOR_FILE: path.join(dir, "anchor.jsonl"),
    RV_AUDIT_SINKS: `file://${file}?name=local&rotateBytes=256K&keep=1000;${receiver.url}?name=siem&batch=200&retryMaxMs=300`,
    RV_AUDIT_SINK_POLL_MS: "100",
    RV_AUDIT_SINK_LAG_ALERT_SECONDS: "2",
    ...extra,
  };
}

/** Each org's sealed head, once nothing waits to be sealed. */
async function sealedHeads(): Promise<Map<string, number>> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM "AuditPending"`);
    if (rows[0].n === 0) break;
    await sleep(50);
  }
  const { rows } = await sql.query<{ orgId: string; seq: string }>(`SELECT "orgId", "seq"::text FROM "AuditCheckpoint" WHERE "orgId" = ANY($1)`, [orgIds]);
  return new Map(rows.map((r) => [r.orgId, Number(r.seq)]));
}

async function cursorsReach(sink: string, heads: Map<string, number>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await sql.query<{ orgId: string; seq: string }>(`SELECT "orgId", "seq"::text FROM "AuditSinkCursor" WHERE "sink" = $1`, [sink]);
    const at = new Map(rows.map((r) => [r.orgId, Number(r.seq)]));
    if ([...heads].every(([orgId, seq]) => (at.get(orgId) ?? 0) >= seq)) return true;
    await sleep(100);
  }
  return false;
}

async function health(url: string) {
  const res = await fetch(`${url}/api/health`);
  return (await res.json()) as { ok: boolean; auditSinks?: { refusingReads: boolean; sinks: { name: string; reachable: boolean; eventsBehind: number; secondsBehind: number; lastError: string | null }[] } };
}

async function leaseFor(url: string, bot: (typeof bots)[number]) {
  const res = await fetch(`${url}/api/leases`, {
    method: "POST",
    headers: { authorization: `Bearer ${bot.token}`, "content-type": "application/json" },
    body: JSON.stringify({ secret: bot.secret, scope: bot.scope, justification: "Audit sink suite: fail-closed read", singleUse: true, ttlSeconds: 600 }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; leaseToken: string };
}

const resolve = (url: string, lease: { id: string; leaseToken: string }) =>
  fetch(`${url}/api/leases/${lease.id}/resolve`, { method: "POST", headers: { authorization: `Bearer ${lease.leaseToken}` } });

describe("audit sinks under load, kill -9 and a sink outage", () => {
  it("delivers every event of every org to the file and HTTP sinks, in order, with no gap", async () => {
    // A slow receiver keeps a batch in flight most of the time, so the kill lands mid-delivery.
    receiver.delayMs = 100;
    const outage = { from: 0, to: 0 };
    app = await startApp(db.url, { env: serverEnv() });
    const port = Number(new URL(app.url).port);
    const load = startLoad(() => app!.url, bots, 4);
    try {
      await timeUntil(() => receiver.records.length >= 100 && load.issued.size >= 50, 30_000);
      expect(receiver.records.length, app.logs()).toBeGreaterThanOrEqual(100);
      expect(readFileSink(file, 1000).length).toBeGreaterThan(0);

      // kill -9, twice, while a batch is at the HTTP sink and not yet confirmed.
      for (let round = 0; round < 2; round++) {
        const before = receiver.seen.length;
        await timeUntil(() => receiver.seen.length > before + 50 && receiver.inFlight > 0, 20_000);
        expect(receiver.inFlight).toBeGreaterThan(0);
        app.kill();
        await sleep(300);
        app = await startApp(db.url, { port, env: serverEnv() });
      }
      const restarted = receiver.records.length;
      await timeUntil(() => receiver.records.length > restarted + 50, 20_000);
      expect(receiver.records.length, app.logs()).toBeGreaterThan(restarted + 50);

      // The HTTP sink goes away for 5 s under load; the vault keeps serving.
      receiver.delayMs = 0;
      await receiver.down();
      const downAt = Date.now();
      const issuedBefore = load.issued.size;
      await sleep(2_500);
      const during = await health(app.url);
      const siem = during.auditSinks!.sinks.find((s) => s.name === "siem")!;
      expect(siem).toMatchObject({ reachable: false, lastError: "ECONNREFUSED" });
      expect(siem.eventsBehind).toBeGreaterThan(0);
      expect(during.auditSinks!.sinks.find((s) => s.name === "local")).toMatchObject({ reachable: true });
      expect(during.auditSinks!.refusingReads).toBe(false);
      await sleep(5_000 - (Date.now() - downAt));
      expect(load.issued.size - issuedBefore, "leases kept being served during the outage").toBeGreaterThan(20);
      await receiver.up();
      outage.from = downAt;
      outage.to = Date.now();
      await sleep(1_000);
    } finally {
      await load.stop();
    }

    const heads = await sealedHeads();
    expect([...heads.values()].every((n) => n > 0)).toBe(true);
    expect(await cursorsReach("siem", heads, 30_000), app.logs()).toBe(true);
    expect(await cursorsReach("local", heads, 30_000), app.logs()).toBe(true);

    for (const [name, records] of [
      ["http", receiver.records],
      ["file", readFileSink(file, 1000)],
    ] as const) {
      const check = checkDelivery(records, heads);
      expect(check.outOfOrder.slice(0, 5), name).toEqual([]);
      expect(check.gaps, name).toEqual([]);
      // The batches cut off by the kills were stored by the receiver and sent again.
      if (name === "http") expect(check.duplicates).toBeGreaterThan(0);
      console.info(`audit sinks e2e: ${name} sink has ${check.distinct} events of ${[...heads.values()].reduce((a, b) => a + b, 0)} (+${check.duplicates} repeated)`);
    }
    // The 5 s outage passed the 2 s threshold: each org's trail says so, once per outage
    // (alternating with audit.sink_recovered; a restart can be an outage of its own).
    const alerts = async () =>
      (
        await sql.query<{ orgId: string; type: string; at: number; outcome: string }>(
          // Stored as UTC without a zone: as epoch milliseconds, whatever this process's zone.
          `SELECT "orgId", "type", (extract(epoch FROM "createdAt") * 1000)::float8 AS "at", "outcome"::text AS "outcome" FROM "AuditEvent"
            WHERE "orgId" = ANY($1) AND "type" LIKE 'audit.sink_%' AND "data"->>'sink' = 'siem' ORDER BY "orgId", "seq"`,
          [orgIds],
        )
      ).rows;
    const recoveredLast = (rows: { orgId: string; type: string }[]) => orgIds.every((o) => rows.filter((r) => r.orgId === o).at(-1)?.type === "audit.sink_recovered");
    for (let i = 0; i < 100 && !recoveredLast(await alerts()); i++) await sleep(100);
    const trail = await alerts();
    for (const orgId of orgIds) {
      const mine = trail.filter((r) => r.orgId === orgId);
      expect(mine.map((r) => r.type), orgId).toEqual(mine.map((_, i) => (i % 2 === 0 ? "audit.sink_lagging" : "audit.sink_recovered")));
      expect(mine.length % 2, orgId).toBe(0);
      // One of them is the outage's, recorded while the sink was down.
      expect(mine.filter((r) => r.type === "audit.sink_lagging" && r.at >= outage.from && r.at <= outage.to), orgId).toHaveLength(1);
      expect(mine.filter((r) => r.type === "audit.sink_lagging").every((r) => r.outcome === "denied")).toBe(true);
    }
    // No record carries a secret value (the seeded values all start with "canary-").
    expect(JSON.stringify(receiver.records)).not.toMatch(/canary-/);

    const after = await health(app.url);
    expect(after.auditSinks!.sinks.map((s) => [s.name, s.reachable])).toEqual([
      ["local", true],
      ["siem", true],
    ]);
  }, 240_000);

  it("fails closed: resolves are refused with 503 while the required sink is down, and served once it is back", async () => {
    await app?.stop();
    app = await startApp(db.url, { env: serverEnv({ RV_AUDIT_SINK_MODE: "fail-closed" }) });
    const bot = bots[0];
    const ok = await resolve(app.url, await leaseFor(app.url, bot));
    expect(ok.status).toBe(200);

    await receiver.down();
    // The lease request is an event: shipping it finds the sink down.
    const lease = await leaseFor(app.url, bot);
    let refused: Response | undefined;
    for (let i = 0; i < 100 && !refused; i++) {
      const h = await health(app.url);
      if (h.auditSinks?.refusingReads) refused = await resolve(app.url, lease);
      else await sleep(100);
    }
    expect(refused?.status, app.logs()).toBe(503);
    expect(refused!.headers.get("retry-after")).toBe("5");
    const body = await refused!.json();
    expect(body).toEqual({ error: { code: "audit_sink_unavailable", message: expect.stringMatching(/required audit sink is unreachable/) } });

    await receiver.up();
    let served: Response | undefined;
    for (let i = 0; i < 100; i++) {
      // The refused lease was not spent: the same token opens once the sink is back.
      const res = await resolve(app.url, lease);
      if (res.status === 200) {
        served = res;
        break;
      }
      expect(res.status).toBe(503);
      await sleep(100);
    }
    expect(served?.status).toBe(200);
    expect((await health(app.url)).auditSinks!.refusingReads).toBe(false);
  }, 120_000);

  it("refuses to start on a sink configuration it cannot read, with one clear line and no stack trace", async () => {
    const err = await startApp(db.url, { env: serverEnv({ RV_AUDIT_SINKS: "https://siem.example/ingest?name=pipe&format=xml", RV_AUDIT_SINK_PIPE_HEADER: "Authorization: Bearer never-shown" }) }).then(
      (started) => {
        app = started;
        return null;
      },
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/server exited \(1\)/);
    expect(err?.message).toContain('Runtime Vault: RV_AUDIT_SINKS: sink "pipe": format must be one of json, ndjson');
    expect(err?.message).not.toMatch(/\n\s+at /);
    expect(err?.message).not.toContain("never-shown");
  }, 60_000);
});
