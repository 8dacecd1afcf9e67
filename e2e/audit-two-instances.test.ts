// Two app instances on one database, both serving leases and both sealing (issue 11):
// the chain no longer serialises an org's writes, so events commit in any order and
// are sealed by whichever instance holds the org's sealer lock. Afterwards the org's
// chain is one contiguous 1…n, every event is in it (including ones whose transactions
// committed long after later events were sealed), and it verifies in full. A restarted
// instance whose anchor is ahead of the database says so on start.
import { appendFileSync, readFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedScenario } from "../test/fixtures";
import { startServer, type TestServer } from "../test/server";
import { recordAuditEvent, SYSTEM_ACTOR } from "../lib/audit/record-audit-event";
import { verifyAuditChain } from "../lib/audit/verify-audit-chain";
import { parseAnchorLines, anchorLine } from "../lib/audit/anchor-file";
import { client } from "./http";

let db: TestDatabase;
const anchors = [0, 1].map(() => path.join(tmpdir(), `rv-two-instances-${randomBytes(6).toString("hex")}.jsonl`));
const servers: TestServer[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  for (const file of anchors) servers.push(await startServer({ databaseUrl: db.url, env: { RV_AUDIT_ANCHOR_FILE: file } }));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await db?.drop();
  for (const file of anchors) rmSync(file, { force: true });
});

const justification = "Nightly reconciliation across both instances";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pendingCount(orgId: string) {
  return db.prisma.auditPending.count({ where: { orgId } });
}

describe("two instances, one chain", () => {
  it("seals concurrent load from both instances, with late commits, into one contiguous chain that verifies", async () => {
    const s = await seedScenario(db.prisma);
    const calls = servers.map((server) => client(server.url));
    let running = true;
    let cycles = 0;
    // Eight workers, alternating instances: lease, then resolve.
    const workers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; running; i++) {
        const call = calls[(w + i) % 2];
        const lease = await call("POST", "/api/leases", { token: s.token, body: { secret: s.secret.name, justification } });
        expect(lease.status).toBe(201);
        const resolved = await call("POST", `/api/leases/${lease.body.id}/resolve`, { token: lease.body.leaseToken });
        expect(resolved.status).toBe(200);
        cycles++;
      }
    });
    // Transactions that record an event and stay open while later events are sealed.
    const late: string[] = [];
    const holders = Array.from({ length: 4 }, async (_, h) => {
      await sleep(200 + h * 150);
      const id = await db.prisma.$transaction(
        async (tx) => {
          const { id } = await recordAuditEvent(tx, { orgId: s.orgId, type: "test.late_commit", actor: SYSTEM_ACTOR, data: { h } });
          await sleep(700);
          return id;
        },
        { timeout: 10_000 },
      );
      late.push(id);
    });
    await sleep(3_000);
    running = false;
    await Promise.all([...workers, ...holders]);
    expect(cycles).toBeGreaterThan(20);

    for (let i = 0; i < 100 && (await pendingCount(s.orgId)) > 0; i++) await sleep(50);
    expect(await pendingCount(s.orgId)).toBe(0);

    const seqs = (await db.prisma.auditEvent.findMany({ where: { orgId: s.orgId }, select: { seq: true }, orderBy: { seq: "asc" } })).map((e) => Number(e.seq));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    // Seeding's events, a grant and a resolve per cycle, and the late ones.
    const byType = await db.prisma.auditEvent.groupBy({ by: ["type"], where: { orgId: s.orgId }, _count: true });
    const count = (type: string) => byType.find((t) => t.type === type)?._count ?? 0;
    expect(count("lease.granted")).toBe(cycles);
    expect(count("lease.resolved")).toBe(cycles);
    const sealedLate = await db.prisma.auditEvent.findMany({ where: { orgId: s.orgId, id: { in: late } }, select: { seq: true } });
    expect(sealedLate).toHaveLength(4);

    expect(await verifyAuditChain(db.prisma, { orgId: s.orgId, full: true, anchor: null })).toMatchObject({ ok: true, checked: seqs.length, walked: seqs.length });
    // Both instances sealed some of it, and each verifies against its own anchor.
    for (const [i, file] of anchors.entries()) {
      const anchored = parseAnchorLines(readFileSync(file, "utf8")).get(s.orgId);
      expect(anchored, `instance ${i} sealed nothing`).toBeDefined();
      const verify = await calls[i]("GET", "/api/v1/audit/verify", { token: s.adminToken });
      expect(verify.body).toMatchObject({ ok: true, anchor: { seq: Number(anchored!.seq) } });
    }
  }, 60_000);

  it("says on start, and in verify, when the database is behind an instance's anchor", async () => {
    const s = await seedScenario(db.prisma);
    for (let i = 0; i < 100 && (await pendingCount(s.orgId)) > 0; i++) await sleep(50);
    const checkpoint = await db.prisma.auditCheckpoint.findUniqueOrThrow({ where: { orgId: s.orgId } });
    // As if the database had been restored from a backup older than what this instance sealed.
    appendFileSync(anchors[0], anchorLine({ orgId: s.orgId, seq: checkpoint.seq + 50n, hash: "f".repeat(64), signature: "", signedAt: new Date().toISOString() }));
    await servers[0].stop();
    servers[0] = await startServer({ databaseUrl: db.url, env: { RV_AUDIT_ANCHOR_FILE: anchors[0] } });
    for (let i = 0; i < 50 && !servers[0].logs().includes("behind its anchor"); i++) await sleep(100);
    expect(servers[0].logs()).toMatch(new RegExp(`behind its anchor .* for ${s.orgId}: the anchor holds #${checkpoint.seq + 50n}`));
    const verify = await client(servers[0].url)("GET", "/api/v1/audit/verify", { token: s.adminToken });
    expect(verify.body).toMatchObject({ ok: false, brokenAt: Number(checkpoint.seq + 50n), reason: expect.stringMatching(/rolled back/) });
  }, 60_000);
});
