import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { seedScenario, issueLease, sealAudit } from "../../test/fixtures";
import { sqlPool, transaction } from "../db/prisma";
import { requestLease } from "../leases/request-lease";
import { resolveLease } from "../leases/resolve-lease";
import { createSecret } from "../secrets/create-secret";
import { requestLeaseSchema } from "../validations/lease";
import { verifyAuditChain } from "./verify-audit-chain";
import { listAuditEvents } from "./list-audit-events";
import { chainHash, GENESIS_HASH } from "./canonical";
import { auditEventSelect } from "./present-event";
import { sealAuditChain } from "./seal-audit-chain";
import { appendAuditEvent, recordAuditEvent, type AuditInput } from "./record-audit-event";

let db: TestDatabase;
let sql: pg.Client;
beforeAll(async () => {
  db = await createTestDatabase();
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

const justification = "Reconcile unpaid invoices before month-end close";

/** A scenario with a few leases and resolves, so the chain has some length. */
async function busyOrg() {
  const s = await seedScenario(db.prisma);
  for (let i = 0; i < 3; i++) {
    const lease = await issueLease(db.prisma, { bot: s.principal, input: requestLeaseSchema.parse({ secret: s.secret.name, justification }) });
    await resolveLease(db.prisma, { leaseId: lease.id, leaseToken: lease.leaseToken });
  }
  await sealAudit(db.prisma, s.orgId);
  const events = await db.prisma.auditEvent.findMany({ where: { orgId: s.orgId }, orderBy: { seq: "asc" }, select: { seq: true, type: true } });
  return { ...s, seqs: events.map((e) => Number(e.seq)) };
}

/** Tampering as the database superuser would: with the append-only triggers out of the way. */
async function unsealedTailOf(orgId: string) {
  return db.prisma.auditPending.count({ where: { orgId } });
}

async function asSuperuser(statement: string, params: unknown[] = []) {
  await sql.query("BEGIN");
  await sql.query("SET LOCAL session_replication_role = replica");
  await sql.query(statement, params);
  await sql.query("COMMIT");
}

const where = (orgId: string, seq: number) => [`"orgId" = $1 AND "seq" = $2`, [orgId, seq]] as const;

describe("audit chain", () => {
  it("seals concurrent appends into one chain numbered 1…n for the org, and verifies it", async () => {
    const s = await busyOrg();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        requestLease(db.prisma, { bot: s.principal, input: requestLeaseSchema.parse({ secret: s.secret.name, justification }) }),
      ),
    );
    expect(await db.prisma.auditPending.count({ where: { orgId: s.orgId } })).toBe(20);
    await sealAudit(db.prisma, s.orgId);
    const seqs = (await db.prisma.auditEvent.findMany({ where: { orgId: s.orgId }, select: { seq: true }, orderBy: { seq: "asc" } })).map((e) => Number(e.seq));
    expect(seqs).toEqual(Array.from({ length: s.seqs.length + 20 }, (_, i) => i + 1));
    const result = await verifyAuditChain(db.prisma, { orgId: s.orgId, full: true });
    expect(result).toMatchObject({ ok: true, checked: s.seqs.length + 20, mode: "full", walked: s.seqs.length + 20, unsealed: { count: 0 } });
    expect(await verifyAuditChain(db.prisma, { orgId: s.orgId })).toMatchObject({ ok: true, mode: "incremental", walked: 1 });
  });

  it("numbers each org from 1 with no gaps, whatever other orgs do", async () => {
    const [a, b] = await Promise.all([busyOrg(), busyOrg()]);
    expect(a.seqs).toEqual(Array.from({ length: a.seqs.length }, (_, i) => i + 1));
    expect(b.seqs).toEqual(Array.from({ length: b.seqs.length }, (_, i) => i + 1));
  });

  it("never skips an event whose transaction commits after later ones were sealed", async () => {
    const s = await busyOrg();
    const late = await db.prisma.$transaction(async (tx) => {
      const event = await recordAuditEvent(tx, { orgId: s.orgId, type: "test.late", actor: { type: "system", id: null } });
      // While this transaction is open: others record and seal.
      await issueLease(db.prisma, { bot: s.principal, input: requestLeaseSchema.parse({ secret: s.secret.name, justification }) });
      expect(await sealAuditChain(db.prisma, { orgId: s.orgId })).toMatchObject({ ok: true, sealed: 1 });
      return event;
    });
    expect(await unsealedTailOf(s.orgId)).toBe(1);
    await sealAudit(db.prisma, s.orgId);
    const row = await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: s.orgId, id: late.id }, select: { seq: true } });
    expect(Number(row.seq)).toBe(s.seqs.length + 2);
    expect(await verifyAuditChain(db.prisma, { orgId: s.orgId, full: true })).toMatchObject({ ok: true, checked: s.seqs.length + 2 });
  });

  it("seals in the order events were recorded, across a power of ten in their pending numbers", async () => {
    const s = await busyOrg();
    // The pending numbers of the next events run 9997, 9998, … 10006: as text, "10000" sorts first.
    await sql.query(`SELECT setval('"AuditPending_pid_seq"', 9996)`);
    for (let i = 0; i < 10; i++) await transaction(db.prisma, (tx) => recordAuditEvent(tx, { orgId: s.orgId, type: "test.order", actor: { type: "system", id: null }, data: { i } }));
    await sealAudit(db.prisma, s.orgId);
    const events = await db.prisma.auditEvent.findMany({ where: { orgId: s.orgId, type: "test.order" }, orderBy: { seq: "asc" }, select: { data: true } });
    expect(events.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("is append-only in the database itself", async () => {
    const s = await busyOrg();
    await expect(sql.query(`UPDATE "AuditEvent" SET "justification" = 'x' WHERE "orgId" = $1`, [s.orgId])).rejects.toThrow(/append-only/);
    await expect(sql.query(`DELETE FROM "AuditEvent" WHERE "orgId" = $1`, [s.orgId])).rejects.toThrow(/append-only/);
    await expect(sql.query(`TRUNCATE "AuditEvent"`)).rejects.toThrow(/append-only/);
  });

  it("reports an altered event at its sequence number (full walk)", async () => {
    const s = await busyOrg();
    const target = s.seqs[4];
    await asSuperuser(`UPDATE "AuditEvent" SET "justification" = 'nothing to see here' WHERE ${where(s.orgId, target)[0]}`, [...where(s.orgId, target)[1]]);
    expect(await verifyAuditChain(db.prisma, { orgId: s.orgId, full: true })).toMatchObject({ ok: false, brokenAt: target, reason: expect.stringMatching(/altered/) });
  });

  it("reports a removed event at its place", async () => {
    const s = await busyOrg();
    await asSuperuser(`DELETE FROM "AuditEvent" WHERE ${where(s.orgId, s.seqs[3])[0]}`, [...where(s.orgId, s.seqs[3])[1]]);
    expect(await verifyAuditChain(db.prisma, { orgId: s.orgId, full: true })).toMatchObject({ ok: false, brokenAt: s.seqs[3], reason: expect.stringMatching(/missing/) });
  });

  it("reports reordered events", async () => {
    const s = await busyOrg();
    const [a, b] = [s.seqs[2], s.seqs[5]];
    await asSuperuser(`UPDATE "AuditEvent" SET "seq" = -1 WHERE "orgId" = $1 AND "seq" = $2`, [s.orgId, a]);
    await asSuperuser(`UPDATE "AuditEvent" SET "seq" = $2 WHERE "orgId" = $1 AND "seq" = $3`, [s.orgId, a, b]);
    await asSuperuser(`UPDATE "AuditEvent" SET "seq" = $2 WHERE "orgId" = $1 AND "seq" = -1`, [s.orgId, b]);
    expect(await verifyAuditChain(db.prisma, { orgId: s.orgId, full: true })).toMatchObject({ ok: false, brokenAt: a });
  });

  it("catches removal of the newest events against the signed checkpoint", async () => {
    const s = await busyOrg();
    await asSuperuser(`DELETE FROM "AuditEvent" WHERE "seq" >= $1 AND "orgId" = $2`, [s.seqs[s.seqs.length - 2], s.orgId]);
    const result = await verifyAuditChain(db.prisma, { orgId: s.orgId });
    expect(result).toMatchObject({ ok: false, brokenAt: s.seqs[s.seqs.length - 1], reason: expect.stringMatching(/newest events were removed/) });
  });

  it("catches events inserted after the signed checkpoint", async () => {
    const s = await busyOrg();
    const last = await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: s.orgId }, orderBy: { seq: "desc" }, select: auditEventSelect });
    const forged = { ...last, id: "evt_forged", seq: last.seq + 1n, prevHash: last.hash, justification: "forged" };
    const hash = chainHash(last.hash, { ...forged, orgId: s.orgId });
    await db.prisma.auditEvent.create({ data: { ...forged, orgId: s.orgId, hash, sealedAt: new Date(), data: forged.data ?? undefined } });
    expect(await verifyAuditChain(db.prisma, { orgId: s.orgId })).toMatchObject({ ok: false, brokenAt: Number(forged.seq), reason: expect.stringMatching(/inserted/) });
  });

  it("rejects a checkpoint written without the checkpoint key, and will not seal onto it", async () => {
    const s = await busyOrg();
    await asSuperuser(`UPDATE "AuditCheckpoint" SET "seq" = "seq" - 1 WHERE "orgId" = $1`, [s.orgId]);
    expect(await verifyAuditChain(db.prisma, { orgId: s.orgId })).toMatchObject({ ok: false, reason: expect.stringMatching(/checkpoint signature is invalid/) });
    await issueLease(db.prisma, { bot: s.principal, input: requestLeaseSchema.parse({ secret: s.secret.name, justification }) });
    expect(await sealAuditChain(db.prisma, { orgId: s.orgId })).toMatchObject({ ok: false, reason: expect.stringMatching(/signature is invalid/) });
    expect(await unsealedTailOf(s.orgId)).toBe(1);
  });

  it("signs each sealed batch: the checkpoint row and the batch's last event carry the same signature", async () => {
    const s = await busyOrg();
    const checkpoint = await db.prisma.auditCheckpoint.findUniqueOrThrow({ where: { orgId: s.orgId } });
    expect(Number(checkpoint.seq)).toBe(s.seqs.length);
    const last = await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: s.orgId, seq: checkpoint.seq }, select: { hash: true, signature: true } });
    expect(last).toEqual({ hash: checkpoint.hash, signature: checkpoint.signature });
    expect(await sealAuditChain(db.prisma, { orgId: s.orgId })).toMatchObject({ ok: true, sealed: 0 });
    expect(await db.prisma.auditCheckpoint.findUniqueOrThrow({ where: { orgId: s.orgId } })).toEqual(checkpoint);
  });

  it("filters and pages newest-first with a keyset cursor", async () => {
    const s = await busyOrg();
    const first = await listAuditEvents(db.prisma, { orgId: s.orgId, type: "lease.resolved", limit: 2 });
    expect(first.events).toHaveLength(2);
    expect(first.events[0].seq).toBeGreaterThan(first.events[1].seq);
    const second = await listAuditEvents(db.prisma, { orgId: s.orgId, type: "lease.resolved", limit: 2, cursor: first.nextCursor! });
    expect(second.events).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(second.events[0].seq).toBeLessThan(first.events[1].seq);
    const byBot = await listAuditEvents(db.prisma, { orgId: s.orgId, botId: s.bot.id, limit: 100 });
    expect(byBot.events.every((e) => e.botId === s.bot.id)).toBe(true);
    const future = await listAuditEvents(db.prisma, { orgId: s.orgId, from: new Date(Date.now() + 60_000).toISOString() });
    expect(future.events).toHaveLength(0);
  });
});

describe("fail closed", () => {
  it("rolls the action back when its audit event cannot be written", async () => {
    const s = await seedScenario(db.prisma);
    const single = await issueLease(db.prisma, {
      bot: s.principal,
      input: requestLeaseSchema.parse({ secret: s.secret.name, justification, singleUse: true }),
    });
    // Sabotage the audit table for this org only.
    await sql.query(`CREATE FUNCTION rv_test_block_${s.orgId}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW."orgId" = '${s.orgId}' THEN RAISE EXCEPTION 'audit storage unavailable'; END IF; RETURN NEW; END $$`);
    await sql.query(`CREATE TRIGGER rv_test_block_${s.orgId} BEFORE INSERT ON "AuditPending" FOR EACH ROW EXECUTE FUNCTION rv_test_block_${s.orgId}()`);
    try {
      const leasesBefore = await db.prisma.lease.count({ where: { orgId: s.orgId } });
      await expect(
        requestLease(db.prisma, { bot: s.principal, input: requestLeaseSchema.parse({ secret: s.secret.name, justification }) }),
      ).rejects.toThrow();
      expect(await db.prisma.lease.count({ where: { orgId: s.orgId } })).toBe(leasesBefore);

      await expect(resolveLease(db.prisma, { leaseId: single.id, leaseToken: single.leaseToken })).rejects.toThrow();
      const lease = await db.prisma.lease.findUniqueOrThrow({ where: { id: single.id } });
      expect(lease).toMatchObject({ status: "active", resolveCount: 0 });

      await expect(
        transaction(db.prisma, (tx) =>
          createSecret(tx, { orgId: s.orgId, actor: { type: "system", id: null }, input: { name: "UNAUDITED", scope: "default", description: "", tags: [], value: "v" } }),
        ),
      ).rejects.toThrow();
      expect(await db.prisma.secret.count({ where: { orgId: s.orgId, name: "UNAUDITED" } })).toBe(0);
    } finally {
      await sql.query(`DROP TRIGGER rv_test_block_${s.orgId} ON "AuditPending"`);
    }
    // With auditing back, the untouched single-use lease still resolves once.
    expect((await resolveLease(db.prisma, { leaseId: single.id, leaseToken: single.leaseToken })).value).toBe(s.value);
  });
});

describe("master key rotation", () => {
  it("keeps chains verifiable after the old key is retired, once checkpoints are re-signed", async () => {
    const { LocalKeyProvider, parseMasterKey } = await import("../crypto/key-provider");
    const { resignAuditCheckpoints } = await import("./resign-audit-checkpoints");
    const s = await busyOrg();
    const oldKey = parseMasterKey(process.env.RV_MASTER_KEY!, "test");
    const newKey = Buffer.alloc(32, 7);
    const rotating = new LocalKeyProvider(newKey, [oldKey]);
    const newOnly = new LocalKeyProvider(newKey);
    expect(await verifyAuditChain(db.prisma, { orgId: s.orgId, keys: rotating })).toMatchObject({ ok: true });
    expect(await verifyAuditChain(db.prisma, { orgId: s.orgId, keys: newOnly })).toMatchObject({ ok: false });
    const result = await resignAuditCheckpoints(db.prisma, rotating);
    expect(result.resigned).toBeGreaterThan(0);
    expect(await verifyAuditChain(db.prisma, { orgId: s.orgId, keys: newOnly })).toMatchObject({ ok: true });
  });
});

// The hash must cover exactly what the row holds. A lone surrogate reaches PostgreSQL as
// U+FFFD, NUL is refused, and jsonb keeps only what JSON.stringify writes: an event whose
// canonical text was built from anything else never verified again (security review,
// issue 10). Inputs are validated before they get here; this is the layer underneath.
describe("text the database would alter", () => {
  const unicode = fc.oneof(
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.constantFrom("\udfff", "\ud800x", "x\ude00", "\u0000", "a\u0000\udfffb", "\ud83d\ude00", "e\u0301", "\u202e", "\ufffe"),
  );
  const data = fc.dictionary(unicode, fc.oneof(unicode, fc.integer(), fc.constant(undefined), fc.constant(new Date(0)), fc.array(unicode, { maxLength: 3 })), { maxKeys: 4 });

  it("appends events with any text in any field and still verifies and signs", async () => {
    const s = await seedScenario(db.prisma);
    await fc.assert(
      fc.asyncProperty(unicode, unicode, data, fc.boolean(), async (justification, reason, payload, autocommit) => {
        const input: AuditInput = { orgId: s.orgId, type: "lease.denied", actor: { type: "bot", id: s.bot.id }, botId: s.bot.id, outcome: "denied", justification, reason, secretName: reason, data: payload };
        const event = autocommit ? await appendAuditEvent(sqlPool(db.prisma), input) : await transaction(db.prisma, (tx) => recordAuditEvent(tx, input));
        await sealAudit(db.prisma, s.orgId);
        const row = await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: s.orgId, id: event.id }, select: { justification: true } });
        // Stored as hashed: unchanged when storable, U+FFFD in place of what is not.
        expect(row.justification).toBe(justification.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\u0000/g, "\ufffd"));
        expect(await verifyAuditChain(db.prisma, { orgId: s.orgId })).toMatchObject({ ok: true });
      }),
      { numRuns: 60, seed: 20261110 },
    );
    expect(await verifyAuditChain(db.prisma, { orgId: s.orgId, full: true })).toMatchObject({ ok: true });
  });
});
