// The event stream on its own, against PostgreSQL: a replay longer than one read comes
// out whole and in order as the client takes it; the stream ends (and drops what was
// queued) once its principal loses access; and it reports its end exactly once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { sealAudit, seedOrg } from "../../test/fixtures";
import { transaction } from "../db/prisma";
import { recordAuditEvent, SYSTEM_ACTOR } from "../audit/record-audit-event";
import { AuditListener } from "./audit-listener";
import { openEventStream } from "./open-event-stream";
import { createSseParser, type SseMessage } from "./sse-parser";

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

/** Records n events and seals them, as the server's sealer would (the seal is what streams see). */
async function append(orgId: string, n: number) {
  await transaction(db.prisma, async (tx) => {
    for (let i = 0; i < n; i++) await recordAuditEvent(tx, { orgId, type: "test.append", actor: SYSTEM_ACTOR });
  });
  await sealAudit(db.prisma, orgId);
}

describe("openEventStream", () => {
  it("replays more than one read's worth in order, then goes on live", async () => {
    const { orgId } = await seedOrg(db.prisma);
    await append(orgId, 600);
    const seqs = (await db.prisma.auditEvent.findMany({ where: { orgId }, orderBy: { seq: "asc" }, select: { seq: true } })).map((e) => Number(e.seq));
    let closes = 0;
    const stream = await openEventStream(db.prisma, { orgId, listener, after: 0n, heartbeatMs: 60_000, onClose: () => closes++ });
    const seen: SseMessage[] = [];
    const feed = createSseParser((m) => seen.push(m));
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    while (seen.length < seqs.length) feed(decoder.decode((await reader.read()).value, { stream: true }));
    expect(seen.map((m) => Number(m.id))).toEqual(seqs);
    await append(orgId, 1);
    while (seen.length < seqs.length + 1) feed(decoder.decode((await reader.read()).value, { stream: true }));
    expect(seen.at(-1)?.event).toBe("test.append");
    await reader.cancel();
    expect(closes).toBe(1);
  });

  it("ends with an error once its principal loses access, without handing over what was queued", async () => {
    const { orgId } = await seedOrg(db.prisma);
    await append(orgId, 300);
    let allowed = true;
    let closes = 0;
    const stream = await openEventStream(db.prisma, {
      orgId,
      listener,
      after: 0n,
      heartbeatMs: 60_000,
      recheckMs: 50,
      stillAllowed: async () => allowed,
      onClose: () => closes++,
    });
    const reader = stream.getReader();
    expect((await reader.read()).done).toBe(false);
    // Not reading on: the replay waits in the queue. Then access goes.
    await new Promise((r) => setTimeout(r, 200));
    allowed = false;
    await new Promise((r) => setTimeout(r, 300));
    await expect(reader.read()).rejects.toMatchObject({ name: "AbortError" });
    expect(closes).toBe(1);
  });

  it("fails closed when the re-check itself fails", async () => {
    const { orgId } = await seedOrg(db.prisma);
    const stream = await openEventStream(db.prisma, {
      orgId,
      listener,
      after: null,
      heartbeatMs: 60_000,
      recheckMs: 50,
      stillAllowed: () => Promise.reject(new Error("database away")),
    });
    const reader = stream.getReader();
    await reader.read(); // the preamble
    await expect(reader.read()).rejects.toMatchObject({ name: "AbortError" });
  });
});
