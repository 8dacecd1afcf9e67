// GET /api/v1/events across two app instances on one database: an event committed
// through one instance reaches a stream held open on the other (LISTEN/NOTIFY), with
// the named events of the live timeline and Last-Event-ID resume from the database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedScenario } from "../test/fixtures";
import { startServer, type TestServer } from "../test/server";
import { AdminClient, BotClient, Forbidden, InvalidRequest, parseSse, type StreamedEvent } from "runtime-vault";

let db: TestDatabase;
let serverA: TestServer;
let serverB: TestServer;
let org: Awaited<ReturnType<typeof seedScenario>>;
let other: Awaited<ReturnType<typeof seedScenario>>;
const justification = "Live timeline check for the event stream";

beforeAll(async () => {
  db = await createTestDatabase();
  org = await seedScenario(db.prisma);
  other = await seedScenario(db.prisma);
  const env = { RV_MASTER_KEY: process.env.RV_MASTER_KEY, RV_EVENTS_HEARTBEAT_MS: "500" };
  [serverA, serverB] = await Promise.all([startServer({ databaseUrl: db.url, env }), startServer({ databaseUrl: db.url, env })]);
});
afterAll(async () => {
  await Promise.all([serverA?.stop(), serverB?.stop()]);
  await db?.drop();
});

/** Collects streamed events until `until` is satisfied (or times out). */
async function collect(stream: AsyncGenerator<StreamedEvent>, until: (seen: StreamedEvent[]) => boolean, timeoutMs = 10_000) {
  const seen: StreamedEvent[] = [];
  const timer = setTimeout(() => void stream.return(undefined), timeoutMs);
  for await (const e of stream) {
    seen.push(e);
    if (until(seen)) break;
  }
  clearTimeout(timer);
  return seen;
}

async function leaseAndResolve(url: string, bot: { token: string }, secret: string) {
  const client = new BotClient({ baseUrl: url, token: bot.token });
  const lease = await client.leases.request({ secret, justification });
  if (lease.status !== "active") throw new Error("expected an active lease");
  await client.leases.resolve(lease);
  return lease;
}

describe("live event stream", () => {
  it("delivers an event committed through another instance, as vault.accessed, with id = seq", async () => {
    const admin = new AdminClient({ baseUrl: serverA.url, token: org.adminToken });
    const abort = new AbortController();
    // Resume from the newest event: a stream that connects only after B's commits (a
    // slow first request on a loaded machine) must still see them, not start after them.
    const { events: [newest] } = await admin.audit.list({ limit: 1 });
    const stream = admin.audit.stream({ signal: abort.signal, after: newest.seq });
    const first = stream.next(); // opens the connection
    await new Promise((r) => setTimeout(r, 500));
    const lease = await leaseAndResolve(serverB.url, org, org.secret.name);
    const e1 = (await first).value as StreamedEvent;
    const rest = await collect(stream, (seen) => seen.some((e) => e.event === "vault.accessed"));
    abort.abort();
    const events = [e1, ...rest];
    expect(events.map((e) => e.event)).toEqual(["lease.granted", "vault.accessed"]);
    expect(events[1].data).toMatchObject({ type: "lease.resolved", leaseId: lease.id, secretName: org.secret.name });
    expect(events.every((e) => e.id === String(e.data.seq))).toBe(true);
    expect(JSON.stringify(events)).not.toContain(org.value);
  });

  it("names denials vault.denied and never shows another org's events", async () => {
    const admin = new AdminClient({ baseUrl: serverA.url, token: org.adminToken });
    const abort = new AbortController();
    const { events: [newest] } = await admin.audit.list({ limit: 1 });
    const stream = admin.audit.stream({ signal: abort.signal, after: newest.seq });
    const first = stream.next();
    await new Promise((r) => setTimeout(r, 500));
    await leaseAndResolve(serverB.url, other, other.secret.name); // the other org: must not appear
    const bot = new BotClient({ baseUrl: serverB.url, token: org.token });
    await expect(bot.leases.request({ secret: "NOT_GRANTED", justification })).rejects.toThrow();
    const e1 = (await first).value as StreamedEvent;
    abort.abort();
    expect(e1.event).toBe("vault.denied");
    expect(e1.data).toMatchObject({ type: "lease.denied", secretName: "NOT_GRANTED", outcome: "denied" });
  });

  it("resumes from Last-Event-ID (or ?after=) by replaying from the database", async () => {
    const admin = new AdminClient({ baseUrl: serverB.url, token: org.adminToken });
    const { events } = await admin.audit.list({ limit: 500 });
    const all = [...events].reverse();
    const from = all[all.length - 4];
    const expected = all.slice(-3).map((e) => e.seq);

    const viaHeader = await collect(admin.audit.stream({ after: from.seq }), (seen) => seen.length === 3);
    expect(viaHeader.map((e) => e.data.seq)).toEqual(expected);

    const res = await fetch(`${serverA.url}/api/v1/events?after=${from.seq}`, { headers: { authorization: `Bearer ${org.adminToken}` } });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const seqs: number[] = [];
    for await (const msg of parseSse(res.body!)) {
      seqs.push(Number(msg.id));
      if (seqs.length === 3) break;
    }
    expect(seqs).toEqual(expected);
  });

  it("sends heartbeats and survives the listener's connection being cut", async () => {
    const res = await fetch(`${serverA.url}/api/v1/events`, { headers: { authorization: `Bearer ${org.adminToken}` } });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (pattern: RegExp) => {
      const deadline = Date.now() + 10_000;
      while (!pattern.test(text) && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      return pattern.test(text);
    };
    expect(await readUntil(/: heartbeat/)).toBe(true);

    // Kill every LISTEN connection on this database: both instances must reconnect.
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
    );
    await admin.end();
    expect(killed.rowCount).toBeGreaterThanOrEqual(1);

    const lease = await leaseAndResolve(serverB.url, org, org.secret.name);
    expect(await readUntil(new RegExp(`event: vault.accessed\\nid: |"leaseId":"${lease.id}"`))).toBe(true);
    await reader.cancel();
  });

  it("refuses bad resume ids, bot tokens and roles without audit:read", async () => {
    const bad = await fetch(`${serverA.url}/api/v1/events`, { headers: { authorization: `Bearer ${org.adminToken}`, "last-event-id": "abc" } });
    expect(bad.status).toBe(400);
    const asBot = await fetch(`${serverA.url}/api/v1/events`, { headers: { authorization: `Bearer ${org.token}` } });
    expect(asBot.status).toBe(401);
    const viewer = await seedViewer();
    await expect(collect(new AdminClient({ baseUrl: serverA.url, token: viewer }).audit.stream(), () => true)).rejects.toBeInstanceOf(Forbidden);
    await expect(new AdminClient({ baseUrl: serverA.url, token: org.adminToken }).audit.list({ limit: 0 })).rejects.toBeInstanceOf(InvalidRequest);
  });
});

async function seedViewer(): Promise<string> {
  const { seedOrg } = await import("../test/fixtures");
  return (await seedOrg(db.prisma, "viewer")).adminToken;
}
