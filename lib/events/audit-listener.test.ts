// The listener on its own, against PostgreSQL: a committed audit event wakes exactly
// the subscribers of its org (no polling involved), and a cut connection is re-made.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { seedOrg, sealAudit } from "../../test/fixtures";
import { transaction } from "../db/prisma";
import { recordAuditEvent, SYSTEM_ACTOR } from "../audit/record-audit-event";
import { AuditListener } from "./audit-listener";
import { openEventStream, formatSseEvent } from "./open-event-stream";
import { sseEventName } from "./event-names";

let db: TestDatabase;
let listener: AuditListener;

beforeAll(async () => {
  db = await createTestDatabase();
  listener = new AuditListener(db.url);
});
afterAll(async () => {
  await listener?.close();
  await db?.drop();
});

/** Records an event and seals it, as the server's sealer would: the seal is what notifies. */
async function record(orgId: string, type = "test.event") {
  const { id } = await transaction(db.prisma, (tx) => recordAuditEvent(tx, { orgId, type, actor: SYSTEM_ACTOR }));
  await sealAudit(db.prisma, orgId);
  const { seq } = await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId, id }, select: { seq: true } });
  return { id, seq };
}

function nextWake(count: { n: number }, n: number, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  return new Promise<void>((resolve, reject) => {
    const check = () => (count.n >= n ? resolve() : Date.now() > deadline ? reject(new Error(`only ${count.n} wake-ups`)) : setTimeout(check, 20));
    check();
  });
}

async function until(condition: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("audit listener", () => {
  it("wakes the subscribers of the event's org only", async () => {
    const [a, b] = [await seedOrg(db.prisma), await seedOrg(db.prisma)];
    const wakesA = { n: 0 };
    const wakesB = { n: 0 };
    const offA = listener.subscribe(a.orgId, () => wakesA.n++);
    const offB = listener.subscribe(b.orgId, () => wakesB.n++);
    await nextWake(wakesA, 1); // the wake-up after connecting
    const base = { a: wakesA.n, b: wakesB.n };
    await record(a.orgId);
    await nextWake(wakesA, base.a + 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(wakesB.n).toBe(base.b);
    offA();
    offB();
    expect(listener.subscriberCount).toBe(0);
  });

  it("reconnects after its connection is terminated and wakes everyone to catch up", async () => {
    const { orgId } = await seedOrg(db.prisma);
    // An org with no events: only a (re)connect wakes it, so stray notifications from
    // seeding cannot be mistaken for the catch-up wake.
    const probe = { n: 0 };
    const offProbe = listener.subscribe(`org_probe_${Date.now()}`, () => probe.n++);
    await until(() => listener.connected);
    const before = probe.n;
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`);
    await admin.end();
    await nextWake(probe, before + 1); // the reconnect's catch-up wake
    await until(() => listener.connected);
    const wakes = { n: 0 };
    const off = listener.subscribe(orgId, () => wakes.n++);
    await record(orgId);
    await nextWake(wakes, 1);
    off();
    offProbe();
  });

  it("streams replay then live events as SSE, oldest first", async () => {
    const { orgId } = await seedOrg(db.prisma);
    const before = await record(orgId, "lease.resolved");
    const abort = new AbortController();
    const stream = await openEventStream(db.prisma, { orgId, listener, after: before.seq - 1n, heartbeatMs: 60_000, signal: abort.signal });
    const reader = stream.getReader();
    let text = "";
    const live = record(orgId, "lease.resolve_denied");
    while (!text.includes("vault.denied")) text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    await live;
    expect(text.indexOf("vault.accessed")).toBeLessThan(text.indexOf("vault.denied"));
    expect(text).toContain(`id: ${before.seq}\n`);
  });

  it("maps event names", () => {
    expect(sseEventName("lease.resolved")).toBe("vault.accessed");
    expect(sseEventName("lease.denied")).toBe("vault.denied");
    expect(sseEventName("lease.resolve_denied")).toBe("vault.denied");
    for (const refusal of ["lease.bad_token", "lease.locked", "lease.rejected", "rate_limit.exceeded"]) expect(sseEventName(refusal)).toBe("vault.denied");
    expect(sseEventName("secret.created")).toBe("secret.created");
    expect(formatSseEvent({ seq: 7, type: "lease.resolved" })).toBe('id: 7\nevent: vault.accessed\ndata: {"seq":7,"type":"lease.resolved"}\n\n');
  });
});
