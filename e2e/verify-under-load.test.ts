// verifyAuditChain while events are still being appended and sealed (an auditor's check
// during traffic, or right after a load test whose last requests are still in flight)
// must not report tampering: it judges the chain only up to the state it read first.
// (Reading the checkpoint and the newest event apart once made a batch sealed in between
// look like removed events.)
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedOrg } from "../test/fixtures";
import { transaction } from "../lib/db/prisma";
import { recordAuditEvent, SYSTEM_ACTOR } from "../lib/audit/record-audit-event";
import { verifyAuditChain } from "../lib/audit/verify-audit-chain";
import { sealAuditChain } from "../lib/audit/seal-audit-chain";
import { AnchorFile } from "../lib/audit/anchor-file";

let db: TestDatabase;
const anchor = new AnchorFile(path.join(tmpdir(), `rv-verify-load-${randomBytes(6).toString("hex")}.jsonl`));
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
  rmSync(anchor.file, { force: true });
});

describe("verify during concurrent appends", () => {
  it("reports ok while other transactions keep appending", async () => {
    const { orgId } = await seedOrg(db.prisma);
    let running = true;
    const writers = Array.from({ length: 4 }, async () => {
      while (running) await transaction(db.prisma, (tx) => recordAuditEvent(tx, { orgId, type: "test.append", actor: SYSTEM_ACTOR }));
    });
    const sealer = (async () => {
      while (running) {
        await sealAuditChain(db.prisma, { orgId, anchor });
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const results = [];
    try {
      for (let i = 0; i < 30; i++) results.push(await verifyAuditChain(db.prisma, { orgId, anchor, full: i % 3 === 0 }));
    } finally {
      running = false;
      await Promise.all([...writers, sealer]);
    }
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.at(-1)?.anchor?.seq).toBeGreaterThan(0);
    // Quiet again: the chain itself was never broken.
    expect(await verifyAuditChain(db.prisma, { orgId, anchor, full: true })).toMatchObject({ ok: true });
  }, 60_000);
});
