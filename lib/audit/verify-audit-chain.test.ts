// Verify's cost (security review, issue 10): a verify walked the whole chain on every
// call, so a few parallel calls on a long trail slowed everything. It now starts from
// the last signed checkpoint unless asked for the full walk, and one org's verifies
// share one walk at a time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { seedOrg } from "../../test/fixtures";
import { transaction } from "../db/prisma";
import { recordAuditEvent, SYSTEM_ACTOR } from "./record-audit-event";
import { checkpointAuditChain } from "./checkpoint-audit-chain";
import { verifyAuditChain, verifyAuditChainOnce } from "./verify-audit-chain";

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

async function append(orgId: string, n: number) {
  for (let i = 0; i < n; i++) await transaction(db.prisma, (tx) => recordAuditEvent(tx, { orgId, type: "test.append", actor: SYSTEM_ACTOR }));
}

/** An org with `signed` events under a checkpoint and `after` more since. */
async function orgWithCheckpoint(signed: number, after: number) {
  const { orgId } = await seedOrg(db.prisma);
  await append(orgId, signed);
  expect(await checkpointAuditChain(db.prisma, { orgId })).toMatchObject({ ok: true, signed: true });
  await append(orgId, after);
  const total = await db.prisma.auditEvent.count({ where: { orgId } });
  return { orgId, total };
}

describe("incremental verify", () => {
  it("walks only the events after the last signed checkpoint, the whole chain when asked", async () => {
    const { orgId, total } = await orgWithCheckpoint(40, 3);
    expect(await verifyAuditChain(db.prisma, { orgId })).toEqual({ ok: true, checked: total, mode: "incremental", walked: 3 });
    expect(await verifyAuditChain(db.prisma, { orgId, full: true })).toEqual({ ok: true, checked: total, mode: "full", walked: total });
  });

  it("still checks the signed event it starts from, and everything after it", async () => {
    const { orgId } = await orgWithCheckpoint(10, 3);
    const checkpoint = await db.prisma.auditCheckpoint.findUniqueOrThrow({ where: { orgId } });
    await sql.query("BEGIN");
    await sql.query("SET LOCAL session_replication_role = replica");
    await sql.query(`UPDATE "AuditEvent" SET "reason" = 'edited' WHERE "seq" = $1`, [checkpoint.seq]);
    await sql.query("COMMIT");
    expect(await verifyAuditChain(db.prisma, { orgId })).toMatchObject({ ok: false, brokenAt: Number(checkpoint.seq), reason: expect.stringMatching(/altered/) });
    const other = await orgWithCheckpoint(10, 3);
    const head = await db.prisma.auditHead.findUniqueOrThrow({ where: { orgId: other.orgId } });
    await sql.query("BEGIN");
    await sql.query("SET LOCAL session_replication_role = replica");
    await sql.query(`UPDATE "AuditEvent" SET "reason" = 'edited' WHERE "seq" = $1`, [head.lastSeq]);
    await sql.query("COMMIT");
    expect(await verifyAuditChain(db.prisma, { orgId: other.orgId })).toMatchObject({ ok: false, brokenAt: Number(head.lastSeq), reason: expect.stringMatching(/altered/) });
  });

  it("leaves events the checkpoint covers to the full walk", async () => {
    const { orgId } = await orgWithCheckpoint(10, 2);
    const covered = (await db.prisma.auditEvent.findMany({ where: { orgId }, orderBy: { seq: "asc" }, take: 5 }))[4];
    await sql.query("BEGIN");
    await sql.query("SET LOCAL session_replication_role = replica");
    await sql.query(`UPDATE "AuditEvent" SET "reason" = 'edited' WHERE "seq" = $1`, [covered.seq]);
    await sql.query("COMMIT");
    // The signer checked it before signing; re-checking it is what `full` is for.
    expect(await verifyAuditChain(db.prisma, { orgId })).toMatchObject({ ok: true, mode: "incremental" });
    expect(await verifyAuditChain(db.prisma, { orgId, full: true })).toMatchObject({ ok: false, brokenAt: Number(covered.seq), mode: "full" });
  });
});

describe("one walk per org at a time", () => {
  it("gives concurrent verifies of one org the same walk's result; a full request does not take an incremental one's", async () => {
    const { orgId } = await orgWithCheckpoint(5, 20);
    const { orgId: otherOrg } = await orgWithCheckpoint(5, 5);
    const incremental = await Promise.all(Array.from({ length: 6 }, () => verifyAuditChainOnce(db.prisma, { orgId })));
    for (const result of incremental) expect(result).toBe(incremental[0]);
    expect(incremental[0]).toMatchObject({ ok: true, mode: "incremental", walked: 20 });

    const [inc, full, alsoFull, otherOrgs] = await Promise.all([
      verifyAuditChainOnce(db.prisma, { orgId }),
      verifyAuditChainOnce(db.prisma, { orgId, full: true }),
      verifyAuditChainOnce(db.prisma, { orgId, full: true }),
      verifyAuditChainOnce(db.prisma, { orgId: otherOrg }),
    ]);
    expect(inc).toMatchObject({ ok: true, mode: "incremental" });
    expect(full).toMatchObject({ ok: true, mode: "full" });
    expect(alsoFull).toBe(full);
    expect(otherOrgs).not.toBe(inc);
    expect(otherOrgs).toMatchObject({ ok: true, walked: 5 });

    // Once done, the next call walks afresh.
    const later = await verifyAuditChainOnce(db.prisma, { orgId });
    expect(later).not.toBe(incremental[0]);
    expect(later).toEqual(incremental[0]);
  });
});
