// The shipper against a real database, with the real sealer, a real local HTTP
// endpoint, real UDP and TCP syslog listeners and a real file: every org's events in
// seq order with their checkpoints, retries after 5xx, at least once when a 2xx is
// lost, resume from the cursor, one shipper per (sink, org) across instances, lag
// alerts once per outage, and fail-closed reads while a required sink is down.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/database";
import { seedOrg, sealAudit } from "../../../test/fixtures";
import { checkDelivery, readFileSink, startHttpReceiver, startTcpSyslog, startUdpSyslog, type HttpReceiver } from "../../../test/audit-sink-receivers";
import { transaction } from "../../db/prisma";
import { ApiError } from "../../api/errors";
import { startAuditSealer, type AuditSealer } from "../audit-sealer";
import { chainHash, GENESIS_HASH } from "../canonical";
import { recordAuditEvent, SYSTEM_ACTOR } from "../record-audit-event";
import { startAuditShipper, type AuditShipper } from "./audit-shipper";
import { parseSinksConfig, type SinksConfig } from "./sink-config";
import type { SinkRecord } from "./sink-record";
import { refuseReadsWhileSinkDown } from "./sink-status";

let db: TestDatabase;
let dir: string;
let sealer: AuditSealer;
const running: AuditShipper[] = [];
const receivers: { close(): Promise<void> }[] = [];

// A database per test: every sink ships every org, so tests must not see each other's.
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "rv-shipper-"));
});
beforeEach(async () => {
  db = await createTestDatabase();
  sealer = startAuditSealer(db.prisma, { intervalMs: 20 });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await sealer?.stop();
  await db?.drop();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(probe: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function config(sinks: string, extra: Record<string, string> = {}): SinksConfig {
  return parseSinksConfig({ RV_AUDIT_SINKS: sinks, RV_AUDIT_SINK_POLL_MS: "50", ...extra })!;
}

function ship(cfg: SinksConfig, opts: { gaugeMs?: number; publish?: boolean } = {}): AuditShipper {
  const shipper = startAuditShipper({ databaseUrl: db.url, config: cfg, gaugeMs: opts.gaugeMs ?? 200, publish: opts.publish });
  running.push(shipper);
  return shipper;
}

async function http(): Promise<HttpReceiver> {
  const r = await startHttpReceiver();
  receivers.push(r);
  return r;
}

async function record(orgId: string, n: number, type = "test.shipped") {
  for (let i = 0; i < n; i++) await transaction(db.prisma, (tx) => recordAuditEvent(tx, { orgId, type, actor: SYSTEM_ACTOR, justification: `event ${i} ✓`, data: { i } }));
}

/** Writers appending to every org until stopped. */
function keepWriting(orgIds: string[]) {
  let on = true;
  const done = Promise.all(orgIds.map(async (orgId) => {
    while (on) await record(orgId, 1);
  }));
  return async () => {
    on = false;
    await done;
  };
}

/** Every org's sealed head, once nothing is pending. */
async function heads(orgIds: string[]): Promise<Map<string, number>> {
  for (const orgId of orgIds) await sealAudit(db.prisma, orgId);
  const rows = await db.prisma.auditCheckpoint.findMany({ where: { orgId: { in: orgIds } }, select: { orgId: true, seq: true } });
  return new Map(rows.map((r) => [r.orgId, Number(r.seq)]));
}

async function cursorsAt(sink: string, target: Map<string, number>): Promise<boolean> {
  const rows = await db.prisma.auditSinkCursor.findMany({ where: { sink, orgId: { in: [...target.keys()] } } });
  return [...target].every(([orgId, seq]) => Number(rows.find((r) => r.orgId === orgId)?.seq ?? 0) >= seq);
}

function expectComplete(records: Pick<SinkRecord, "orgId" | "seq">[], target: Map<string, number>, sink: string) {
  const check = checkDelivery(records.filter((r) => target.has(r.orgId)), target);
  expect(check.outOfOrder, sink).toEqual([]);
  expect(check.gaps, sink).toEqual([]);
  return check;
}

describe("audit shipper", () => {
  it("ships every org's events, in seq order and with every signed checkpoint, to file, HTTP, UDP and TCP syslog", async () => {
    const orgs = await Promise.all([seedOrg(db.prisma), seedOrg(db.prisma), seedOrg(db.prisma)]);
    const orgIds = orgs.map((o) => o.orgId);
    const receiver = await http();
    const udp = await startUdpSyslog();
    const tcp = await startTcpSyslog();
    receivers.push(udp, tcp);
    const file = path.join(dir, "all", "audit.jsonl");
    ship(
      config(
        [
          `file://${file}?name=f&batch=7&rotateBytes=8K&keep=200`,
          `${receiver.url}?name=h&batch=5&format=ndjson&src=vault`,
          `syslog+udp://127.0.0.1:${udp.port}?name=u&batch=9&hostname=vault-1`,
          `syslog+tcp://127.0.0.1:${tcp.port}?name=t&batch=11&facility=auth`,
        ].join(";"),
        { RV_AUDIT_SINK_H_HEADER: "Authorization: Bearer sink-token" },
      ),
    );
    // Events keep arriving while the shipper runs, sealed by the real sealer in batches.
    const stop = keepWriting(orgIds);
    await sleep(1_500);
    await until(async () => (await db.prisma.auditEvent.count()) >= 150, 30_000, "150 events");
    await stop();
    const target = await heads(orgIds);
    for (const sink of ["f", "h", "u", "t"]) await until(() => cursorsAt(sink, target), 20_000, `sink ${sink} to catch up`);

    const fileRecords = readFileSink(file, 200);
    const sinks: [string, SinkRecord[]][] = [
      ["file", fileRecords],
      ["http", receiver.records],
      ["udp", udp.messages.map((m) => m.record)],
      ["tcp", tcp.messages.map((m) => m.record)],
    ];
    // The file rotated along the way and kept every line.
    expect(readFileSink(file, 0).length).toBeLessThan(fileRecords.length);

    const events = await db.prisma.auditEvent.findMany({ where: { orgId: { in: orgIds } }, orderBy: [{ orgId: "asc" }, { seq: "asc" }] });
    const signed = events.filter((e) => e.signature);
    expect(signed.length).toBeGreaterThan(3);
    for (const [name, records] of sinks) {
      const check = expectComplete(records, target, name);
      // Nothing failed here, so nothing was sent twice.
      expect(check.duplicates, name).toBe(0);
      const mine = records.filter((r) => target.has(r.orgId));
      expect(mine.length, name).toBe(events.length);
      // Each checkpoint travels on its event, in sequence.
      const checkpoints = mine.filter((r) => r.checkpoint).map((r) => `${r.orgId}#${r.checkpoint!.seq}:${r.checkpoint!.signature}`);
      expect(checkpoints.sort(), name).toEqual(signed.map((e) => `${e.orgId}#${e.seq}:${e.signature}`).sort());
    }

    // A record is the stored event: its chain can be re-hashed from the records alone.
    for (const orgId of orgIds) {
      let prev = GENESIS_HASH;
      for (const r of receiver.records.filter((x) => x.orgId === orgId)) {
        expect(r.prevHash).toBe(prev);
        expect(chainHash(prev, { ...r, createdAt: new Date(r.createdAt) })).toBe(r.hash);
        prev = r.hash;
      }
    }
    const first = events[0];
    expect(receiver.records.find((r) => r.orgId === first.orgId && r.seq === 1)).toEqual(
      expect.objectContaining({ id: first.id, type: first.type, createdAt: first.createdAt.toISOString(), sealedAt: first.sealedAt.toISOString(), hash: first.hash }),
    );
    // The HTTP sink sent NDJSON with its header, to the endpoint's own query.
    expect(receiver.headers[0]).toMatchObject({ authorization: "Bearer sink-token", "content-type": "application/x-ndjson" });
    // RFC 5424: PRI from facility and outcome, the event's time and type in the header.
    const u = udp.messages.find((m) => m.record.orgId === first.orgId && m.record.seq === 1)!;
    expect(u).toMatchObject({ pri: 16 * 8 + 6, hostname: "vault-1", appName: "runtime-vault", msgId: first.type, timestamp: first.createdAt.toISOString() });
    expect(tcp.messages[0].pri).toBe(4 * 8 + 6);
    // Non-ASCII text travels as JSON escapes and comes back intact.
    expect(udp.raw.every((t) => /^[\x20-\x7e]*$/.test(t))).toBe(true);
    expect(udp.messages.find((m) => m.record.justification?.startsWith("event"))?.record.justification).toMatch(/^event \d+ ✓$/);
  }, 60_000);

  it("retries a batch answered 5xx with backoff, moving the cursor only after a 2xx", async () => {
    const { orgId } = await seedOrg(db.prisma);
    const receiver = await http();
    receiver.mode = "fail";
    const shipper = ship(config(`${receiver.url}?name=retry&batch=4&retryMaxMs=200`));
    await record(orgId, 10);
    const target = await heads([orgId]);
    await until(() => receiver.requests >= 4, 10_000, "retries");
    // Every attempt so far was the same first batch, and the cursor has not moved.
    expect(new Set(receiver.seen.map((r) => r.seq))).toEqual(new Set([1, 2, 3, 4]));
    expect(await db.prisma.auditSinkCursor.findUnique({ where: { sink_orgId: { sink: "retry", orgId } } })).toMatchObject({ seq: 0n, lastError: "HTTP 503" });
    await shipper.measure();
    expect(shipper.status().sinks[0]).toMatchObject({ name: "retry", reachable: false, lastError: "HTTP 503", eventsBehind: target.get(orgId) });

    receiver.mode = "ok";
    await until(() => cursorsAt("retry", target), 10_000, "catch-up");
    expectComplete(receiver.records, target, "retry");
    expect(receiver.records.map((r) => r.seq)).toEqual(Array.from({ length: target.get(orgId)! }, (_, i) => i + 1));
    await shipper.measure();
    expect(shipper.status().sinks[0]).toMatchObject({ reachable: true, eventsBehind: 0, secondsBehind: 0 });
  }, 30_000);

  it("sends a batch again when its answer is lost (at least once), and never skips", async () => {
    const { orgId } = await seedOrg(db.prisma);
    const receiver = await http();
    receiver.mode = "drop";
    ship(config(`${receiver.url}?name=lost&batch=3&retryMaxMs=100`));
    await record(orgId, 7);
    const target = await heads([orgId]);
    await until(() => receiver.requests >= 2, 10_000, "a dropped batch");
    receiver.mode = "ok";
    await until(() => cursorsAt("lost", target), 10_000, "catch-up");
    // The receiver saw the dropped batch more than once and still everything in order.
    const check = expectComplete(receiver.seen, target, "lost");
    expect(check.duplicates).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it("resumes from the cursor: a new shipper starts after the last confirmed event", async () => {
    const { orgId } = await seedOrg(db.prisma);
    const receiver = await http();
    const file = path.join(dir, "resume.jsonl");
    const sinks = `${receiver.url}?name=resume-h&batch=5;file://${file}?name=resume-f&batch=5`;
    await record(orgId, 12);
    const first = await heads([orgId]);
    const a = ship(config(sinks));
    await until(async () => (await cursorsAt("resume-h", first)) && (await cursorsAt("resume-f", first)), 10_000, "first shipper");
    await a.stop();
    const shippedByA = receiver.records.length;

    await record(orgId, 9);
    const target = await heads([orgId]);
    ship(config(sinks));
    await until(async () => (await cursorsAt("resume-h", target)) && (await cursorsAt("resume-f", target)), 10_000, "second shipper");
    // The second shipper's first record is the one after the first's last: nothing again, nothing skipped.
    expect(receiver.records[shippedByA].seq).toBe(first.get(orgId)! + 1);
    expect(expectComplete(receiver.records, target, "http").duplicates).toBe(0);
    expect(expectComplete(readFileSink(file), target, "file").duplicates).toBe(0);
  }, 30_000);

  it("lets one instance at a time ship an org to a sink, however many run", async () => {
    const orgs = await Promise.all([seedOrg(db.prisma), seedOrg(db.prisma)]);
    const orgIds = orgs.map((o) => o.orgId);
    const receiver = await http();
    const sinks = `${receiver.url}?name=shared&batch=3`;
    // Three instances, same sink, same database: without the (sink, org) lock two would
    // read the same cursor and send the same batch.
    ship(config(sinks));
    ship(config(sinks));
    ship(config(sinks));
    const stop = keepWriting(orgIds);
    await sleep(1_500);
    await until(async () => (await db.prisma.auditEvent.count()) >= 100, 30_000, "100 events");
    await stop();
    const target = await heads(orgIds);
    await until(() => cursorsAt("shared", target), 15_000, "catch-up");
    const check = expectComplete(receiver.records, target, "shared");
    expect(check.duplicates).toBe(0);
  }, 30_000);

  it("records audit.sink_lagging once per outage past the threshold, then audit.sink_recovered, and both reach the sink", async () => {
    const { orgId } = await seedOrg(db.prisma);
    const receiver = await http();
    receiver.mode = "fail";
    const shipper = ship(config(`${receiver.url}?name=lagging&retryMaxMs=100`, { RV_AUDIT_SINK_LAG_ALERT_SECONDS: "1" }), { gaugeMs: 100 });
    await record(orgId, 3);
    await heads([orgId]);
    const lagging = () => db.prisma.auditEvent.findMany({ where: { orgId, type: "audit.sink_lagging" } });
    await until(async () => (await lagging()).length > 0, 10_000, "audit.sink_lagging");
    // The measurement that recorded it (or a later one) has updated the gauge.
    await shipper.measure();
    expect(shipper.status().sinks[0]).toMatchObject({ reachable: false, lagging: true, lastError: "HTTP 503" });
    expect(shipper.status().sinks[0].secondsBehind).toBeGreaterThanOrEqual(1);
    // Many more measurements while still down: still one event.
    await record(orgId, 2);
    await sleep(1_000);
    await sealAudit(db.prisma, orgId);
    const [event] = await lagging();
    expect(await lagging()).toHaveLength(1);
    expect(event).toMatchObject({ outcome: "denied", actorType: "system", data: expect.objectContaining({ sink: "lagging", thresholdSeconds: 1, lastError: "HTTP 503" }) });
    expect(event.reason).toMatch(/^Audit sink "lagging" is \d+ s behind \(threshold 1 s\): HTTP 503$/);

    receiver.mode = "ok";
    const recovered = () => db.prisma.auditEvent.findMany({ where: { orgId, type: "audit.sink_recovered" } });
    await until(async () => (await sealAudit(db.prisma, orgId), (await recovered()).length > 0), 10_000, "audit.sink_recovered");
    const target = await heads([orgId]);
    await until(() => cursorsAt("lagging", target), 10_000, "catch-up");
    expect(await recovered()).toHaveLength(1);
    expect(await lagging()).toHaveLength(1);
    expect(receiver.records.map((r) => r.type)).toEqual(expect.arrayContaining(["audit.sink_lagging", "audit.sink_recovered"]));
    expectComplete(receiver.records, target, "lagging");
  }, 30_000);

  it("fails closed while a required sink cannot be reached, and opens again once it delivers", async () => {
    const { orgId } = await seedOrg(db.prisma);
    const receiver = await http();
    const optional = await http();
    const shipper = ship(config(`${receiver.url}?name=must&retryMaxMs=100;${optional.url}?name=may`, { RV_AUDIT_SINK_MODE: "fail-closed" }), { publish: true });
    // fail-closed mode makes every sink required unless it says otherwise.
    expect(shipper.status().sinks.map((s) => s.required)).toEqual([true, true]);
    await record(orgId, 2);
    await heads([orgId]);
    await until(() => receiver.records.length >= 2, 10_000, "first delivery");
    expect(() => refuseReadsWhileSinkDown()).not.toThrow();

    await receiver.down();
    await record(orgId, 1);
    await heads([orgId]);
    await until(() => shipper.status().refusingReads, 10_000, "refusal");
    let refusal: unknown;
    try {
      refuseReadsWhileSinkDown();
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({ code: "audit_sink_unavailable", status: 503 });
    expect(shipper.unreachableRequired()).toEqual(["must"]);
    expect(shipper.status().sinks[0].lastError).toBe("ECONNREFUSED");

    await receiver.up();
    await until(() => !shipper.status().refusingReads, 10_000, "reopening");
    expect(() => refuseReadsWhileSinkDown()).not.toThrow();
    await shipper.stop();
    // Stopped: nothing is published any more, so nothing is refused.
    expect(() => refuseReadsWhileSinkDown()).not.toThrow();
  }, 30_000);
});
