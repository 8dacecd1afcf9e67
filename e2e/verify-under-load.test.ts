// verifyAuditChain while events are still being appended (an auditor's check during
// traffic, or right after a load test whose last requests are still in flight) must
// not report tampering: it judges the chain only up to the head it read first.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedOrg } from "../test/fixtures";
import { transaction } from "../lib/db/prisma";
import { recordAuditEvent, SYSTEM_ACTOR } from "../lib/audit/record-audit-event";
import { verifyAuditChain } from "../lib/audit/verify-audit-chain";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe("verify during concurrent appends", () => {
  it("reports ok while other transactions keep appending", async () => {
    const { orgId } = await seedOrg(db.prisma);
    let running = true;
    const writers = Array.from({ length: 4 }, async () => {
      while (running) await transaction(db.prisma, (tx) => recordAuditEvent(tx, { orgId, type: "test.append", actor: SYSTEM_ACTOR }));
    });
    const results = [];
    try {
      for (let i = 0; i < 30; i++) results.push(await verifyAuditChain(db.prisma, { orgId }));
    } finally {
      running = false;
      await Promise.all(writers);
    }
    expect(results.filter((r) => !r.ok)).toEqual([]);
    // Quiet again: the chain itself was never broken.
    expect(await verifyAuditChain(db.prisma, { orgId })).toMatchObject({ ok: true });
  }, 60_000);
});
