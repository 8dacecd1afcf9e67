// Tampering by someone with full write access to PostgreSQL (issue 11): the signed
// checkpoint lives in the same database, so deleting or rolling it back, re-hashing the
// events behind it, truncating or wiping the chain each made verify answer ok. The
// anchor file, outside the database, catches every one of them; the same attacks
// without an anchor are shown passing, which is why the anchor exists.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { seedOrg, sealAudit } from "../../test/fixtures";
import { transaction } from "../db/prisma";
import { AnchorFile } from "./anchor-file";
import { chainHash, GENESIS_HASH } from "./canonical";
import { auditEventSelect } from "./present-event";
import { recordAuditEvent, SYSTEM_ACTOR } from "./record-audit-event";
import { sealAuditChain } from "./seal-audit-chain";
import { verifyAuditChain, verifyAuditChainOnce } from "./verify-audit-chain";

let db: TestDatabase;
let sql: pg.Client;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  dir = mkdtempSync(path.join(tmpdir(), "rv-anchor-"));
});
afterAll(async () => {
  await sql?.end();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
const newAnchor = () => new AnchorFile(path.join(dir, `anchor-${files++}.jsonl`));

async function append(orgId: string, n: number) {
  for (let i = 0; i < n; i++) await transaction(db.prisma, (tx) => recordAuditEvent(tx, { orgId, type: "test.append", actor: SYSTEM_ACTOR, data: { i } }));
}

async function seal(orgId: string, anchor: AnchorFile | null) {
  const result = await sealAuditChain(db.prisma, { orgId, anchor, wait: true });
  expect(result).toMatchObject({ ok: true });
  await anchor?.settle();
}

/** Tampering as the database superuser would: with the append-only triggers out of the way. */
async function asSuperuser(statement: string, params: unknown[] = []) {
  await sql.query("BEGIN");
  await sql.query("SET LOCAL session_replication_role = replica");
  await sql.query(statement, params);
  await sql.query("COMMIT");
}

/** An org whose trail starts with the seeding's events (seeded of them). */
async function newOrg() {
  const { orgId } = await seedOrg(db.prisma);
  return { orgId, seeded: await db.prisma.auditPending.count({ where: { orgId } }) };
}

/**
 * An org sealed in two batches, 6 events then 4 more (seeding's first events padded
 * out), so its chain has 10; the anchor saw both checkpoints.
 */
async function anchoredOrg() {
  const anchor = newAnchor();
  const { orgId, seeded } = await newOrg();
  await append(orgId, 6 - seeded);
  await seal(orgId, anchor);
  const older = await db.prisma.auditCheckpoint.findUniqueOrThrow({ where: { orgId } });
  expect(older.seq).toBe(6n);
  await append(orgId, 4);
  await seal(orgId, anchor);
  expect((await anchor.newest(orgId))?.seq).toBe(10n);
  return { orgId, anchor, older };
}

/** Re-hashes the whole chain from genesis after an edit, as a forger who knows the hash function would. */
async function rehash(orgId: string) {
  const events = await db.prisma.auditEvent.findMany({ where: { orgId }, orderBy: { seq: "asc" }, select: auditEventSelect });
  let prev = GENESIS_HASH;
  for (const e of events) {
    const hash = chainHash(prev, { ...e, orgId });
    await asSuperuser(`UPDATE "AuditEvent" SET "prevHash" = $1, "hash" = $2 WHERE "orgId" = $3 AND "seq" = $4`, [prev, hash, orgId, e.seq]);
    prev = hash;
  }
  return prev;
}

describe("tampering, against the anchor", () => {
  it("verifies an untouched chain against its anchor", async () => {
    const { orgId, anchor } = await anchoredOrg();
    expect(await verifyAuditChain(db.prisma, { orgId, anchor })).toMatchObject({ ok: true, checked: 10, anchor: { seq: 10 } });
    expect(await verifyAuditChain(db.prisma, { orgId, anchor, full: true })).toMatchObject({ ok: true, checked: 10, walked: 10 });
  });

  it("deleted checkpoint", async () => {
    const { orgId, anchor } = await anchoredOrg();
    await asSuperuser(`DELETE FROM "AuditCheckpoint" WHERE "orgId" = $1`, [orgId]);
    expect(await verifyAuditChain(db.prisma, { orgId, anchor: null })).toMatchObject({ ok: true });
    expect(await verifyAuditChain(db.prisma, { orgId, anchor })).toMatchObject({ ok: false, brokenAt: 10, reason: expect.stringMatching(/checkpoint was removed/) });
  });

  it("checkpoint rolled back to an older copy (a backup), with the newer events removed", async () => {
    const { orgId, anchor, older } = await anchoredOrg();
    await asSuperuser(`DELETE FROM "AuditEvent" WHERE "orgId" = $1 AND "seq" > $2`, [orgId, older.seq]);
    await asSuperuser(`UPDATE "AuditCheckpoint" SET "seq" = $2, "hash" = $3, "signature" = $4 WHERE "orgId" = $1`, [orgId, older.seq, older.hash, older.signature]);
    expect(await verifyAuditChain(db.prisma, { orgId, anchor: null, full: true })).toMatchObject({ ok: true, checked: 6 });
    expect(await verifyAuditChain(db.prisma, { orgId, anchor })).toMatchObject({ ok: false, brokenAt: 10, reason: expect.stringMatching(/rolled back.*#6.*#10/) });
  });

  it("history edited and re-hashed, the checkpoint removed so nothing signed disagrees", async () => {
    const { orgId, anchor } = await anchoredOrg();
    await asSuperuser(`UPDATE "AuditEvent" SET "justification" = 'nothing to see here' WHERE "orgId" = $1 AND "seq" = 3`, [orgId]);
    await rehash(orgId);
    await asSuperuser(`DELETE FROM "AuditCheckpoint" WHERE "orgId" = $1`, [orgId]);
    expect(await verifyAuditChain(db.prisma, { orgId, anchor: null, full: true })).toMatchObject({ ok: true });
    expect(await verifyAuditChain(db.prisma, { orgId, anchor })).toMatchObject({ ok: false, brokenAt: 10 });
  });

  it("history edited and re-hashed under the old checkpoint row", async () => {
    const { orgId, anchor } = await anchoredOrg();
    await asSuperuser(`UPDATE "AuditEvent" SET "justification" = 'nothing to see here' WHERE "orgId" = $1 AND "seq" = 3`, [orgId]);
    await rehash(orgId);
    expect(await verifyAuditChain(db.prisma, { orgId, anchor })).toMatchObject({ ok: false, brokenAt: 10, reason: expect.stringMatching(/does not match the anchor.*re-hashed/) });
  });

  it("truncated: the newest events and the checkpoint cut back together", async () => {
    const { orgId, anchor } = await anchoredOrg();
    await asSuperuser(`DELETE FROM "AuditEvent" WHERE "orgId" = $1 AND "seq" > 7`, [orgId]);
    await asSuperuser(`DELETE FROM "AuditCheckpoint" WHERE "orgId" = $1`, [orgId]);
    expect(await verifyAuditChain(db.prisma, { orgId, anchor: null })).toMatchObject({ ok: true, checked: 7 });
    expect(await verifyAuditChain(db.prisma, { orgId, anchor })).toMatchObject({ ok: false, brokenAt: 10 });
  });

  it("truncated: the anchored event itself is gone", async () => {
    const { orgId, anchor } = await anchoredOrg();
    await append(orgId, 2);
    await seal(orgId, null); // sealed by an instance whose anchor this is not
    await asSuperuser(`DELETE FROM "AuditEvent" WHERE "orgId" = $1 AND "seq" = 10`, [orgId]);
    expect(await verifyAuditChain(db.prisma, { orgId, anchor })).toMatchObject({ ok: false, brokenAt: 10, reason: expect.stringMatching(/truncated/) });
  });

  it("wiped: every event and the checkpoint deleted", async () => {
    const { orgId, anchor } = await anchoredOrg();
    await asSuperuser(`DELETE FROM "AuditEvent" WHERE "orgId" = $1`, [orgId]);
    await asSuperuser(`DELETE FROM "AuditCheckpoint" WHERE "orgId" = $1`, [orgId]);
    expect(await verifyAuditChain(db.prisma, { orgId, anchor: null })).toMatchObject({ ok: true, checked: 0 });
    expect(await verifyAuditChain(db.prisma, { orgId, anchor })).toMatchObject({ ok: false, brokenAt: 10, reason: expect.stringMatching(/wiped/) });
  });

  it("the sealer will not extend a chain that is behind its anchor", async () => {
    const { orgId, anchor, older } = await anchoredOrg();
    await asSuperuser(`DELETE FROM "AuditEvent" WHERE "orgId" = $1 AND "seq" > $2`, [orgId, older.seq]);
    await asSuperuser(`UPDATE "AuditCheckpoint" SET "seq" = $2, "hash" = $3, "signature" = $4 WHERE "orgId" = $1`, [orgId, older.seq, older.hash, older.signature]);
    await append(orgId, 1);
    expect(await sealAuditChain(db.prisma, { orgId, anchor })).toMatchObject({ ok: false, brokenAt: 10, reason: expect.stringMatching(/behind the audit anchor/) });
    expect(await db.prisma.auditPending.count({ where: { orgId } })).toBe(1);
  });
});

describe("anchor file", () => {
  it("keeps the newest checkpoint per org whatever order lines arrive in, and survives a torn line", async () => {
    const anchor = newAnchor();
    const a = { orgId: "org_a", hash: "h", signature: "s", signedAt: new Date(0).toISOString() };
    await anchor.record({ ...a, seq: 5n });
    await anchor.record({ ...a, seq: 9n });
    const other = new AnchorFile(anchor.file); // another process, behind
    await other.record({ ...a, seq: 7n });
    await other.record({ ...a, orgId: "org_b", seq: 2n });
    await Promise.all([anchor.settle(), other.settle()]);
    const { appendFile } = await import("node:fs/promises");
    await appendFile(anchor.file, '{"v":1,"orgId":"org_a","seq":"99"');
    const all = await new AnchorFile(anchor.file).readAll();
    expect(all.get("org_a")?.seq).toBe(9n);
    expect(all.get("org_b")?.seq).toBe(2n);
  });
});

describe("incremental verify", () => {
  it("checks only the checkpointed event; the full walk re-checks the rest; the unsealed tail is reported", async () => {
    const { orgId, seeded } = await newOrg();
    await append(orgId, 31 - seeded);
    await sealAudit(db.prisma, orgId);
    await append(orgId, 3);
    expect(await verifyAuditChain(db.prisma, { orgId })).toMatchObject({ ok: true, checked: 31, mode: "incremental", walked: 1, unsealed: { count: 3 } });
    expect(await verifyAuditChain(db.prisma, { orgId, full: true })).toMatchObject({ ok: true, checked: 31, mode: "full", walked: 31 });
    await asSuperuser(`UPDATE "AuditEvent" SET "reason" = 'edited' WHERE "orgId" = $1 AND "seq" = 5`, [orgId]);
    // Sealed from signed state; re-checking what the checkpoint covers is what `full` is for.
    expect(await verifyAuditChain(db.prisma, { orgId })).toMatchObject({ ok: true, mode: "incremental" });
    expect(await verifyAuditChain(db.prisma, { orgId, full: true })).toMatchObject({ ok: false, brokenAt: 5, mode: "full" });
    await asSuperuser(`UPDATE "AuditEvent" SET "reason" = 'edited' WHERE "orgId" = $1 AND "seq" = 31`, [orgId]);
    expect(await verifyAuditChain(db.prisma, { orgId })).toMatchObject({ ok: false, brokenAt: 31, reason: expect.stringMatching(/altered/) });
  });
});

describe("one walk per org at a time", () => {
  it("gives concurrent verifies of one org the same walk's result; a full request does not take an incremental one's", async () => {
    const { orgId, seeded } = await newOrg();
    const { orgId: otherOrg, seeded: otherSeeded } = await newOrg();
    await append(orgId, 21 - seeded);
    await append(otherOrg, 6 - otherSeeded);
    await sealAudit(db.prisma);
    const incremental = await Promise.all(Array.from({ length: 6 }, () => verifyAuditChainOnce(db.prisma, { orgId })));
    for (const result of incremental) expect(result).toBe(incremental[0]);
    expect(incremental[0]).toMatchObject({ ok: true, mode: "incremental", walked: 1 });

    const [inc, full, alsoFull, otherOrgs] = await Promise.all([
      verifyAuditChainOnce(db.prisma, { orgId }),
      verifyAuditChainOnce(db.prisma, { orgId, full: true }),
      verifyAuditChainOnce(db.prisma, { orgId, full: true }),
      verifyAuditChainOnce(db.prisma, { orgId: otherOrg }),
    ]);
    expect(inc).toMatchObject({ ok: true, mode: "incremental" });
    expect(full).toMatchObject({ ok: true, mode: "full", walked: 21 });
    expect(alsoFull).toBe(full);
    expect(otherOrgs).not.toBe(inc);
    expect(otherOrgs).toMatchObject({ ok: true, checked: 6 });

    // Once done, the next call walks afresh.
    const later = await verifyAuditChainOnce(db.prisma, { orgId });
    expect(later).not.toBe(incremental[0]);
    expect(later).toEqual(incremental[0]);
  });
});
