import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { issueLease, sealAudit, seedScenario } from "../../test/fixtures";
import { ApiError } from "../api/errors";
import { resolveLease } from "../leases/resolve-lease";
import { requestLeaseSchema } from "../validations/lease";
import { enforceRateLimits } from "./consume-rate-limit";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const justification = "Reconcile unpaid invoices before month-end close";

async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  return null;
}

describe("rate limits", () => {
  it("refuses past the limit with Retry-After and audits once per window", async () => {
    const s = await seedScenario(db.prisma);
    const now = new Date("2026-11-22T10:00:30Z");
    const opts = { buckets: [{ key: `bot:${s.bot.id}`, limit: 3 }], orgId: s.orgId, botId: s.bot.id, ip: "10.0.0.1", route: "POST /api/leases" };
    for (let i = 0; i < 3; i++) expect(await refusal(enforceRateLimits(db.prisma, opts, now))).toBeNull();
    const refused = await Promise.all(Array.from({ length: 5 }, () => refusal(enforceRateLimits(db.prisma, opts, now))));
    for (const err of refused) {
      expect(err?.code).toBe("rate_limited");
      expect(err?.headers["retry-after"]).toBe("30");
    }
    await sealAudit(db.prisma);
    const events = await db.prisma.auditEvent.findMany({ where: { orgId: s.orgId, type: "rate_limit.exceeded" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ botId: s.bot.id, outcome: "denied", ip: "10.0.0.1" });

    // A new window has a fresh budget.
    expect(await refusal(enforceRateLimits(db.prisma, opts, new Date("2026-11-22T10:01:00Z")))).toBeNull();
  });

  it("counts buckets independently: one noisy IP does not spend another bot's budget", async () => {
    const s = await seedScenario(db.prisma);
    const now = new Date("2026-11-22T11:00:00Z");
    const noisy = { buckets: [{ key: "ip:10.9.9.9", limit: 2 }], route: "x" };
    await enforceRateLimits(db.prisma, noisy, now);
    await enforceRateLimits(db.prisma, noisy, now);
    expect((await refusal(enforceRateLimits(db.prisma, noisy, now)))?.code).toBe("rate_limited");
    const other = { buckets: [{ key: `bot:${s.bot.id}`, limit: 2 }, { key: "ip:10.1.1.1", limit: 2 }], route: "x" };
    expect(await refusal(enforceRateLimits(db.prisma, other, now))).toBeNull();
  });
});

describe("lease lockout", () => {
  it("locks out the address that sends wrong tokens, never the lease: the holder still resolves from anywhere", async () => {
    const s = await seedScenario(db.prisma);
    const lease = await issueLease(db.prisma, { bot: s.principal, input: requestLeaseSchema.parse({ secret: s.secret.name, justification }) });
    const other = await issueLease(db.prisma, { bot: s.principal, input: requestLeaseSchema.parse({ secret: s.secret.name, justification }) });
    const attacker = "203.0.113.5";
    const codes = [];
    for (let i = 0; i < 7; i++) {
      codes.push((await refusal(resolveLease(db.prisma, { leaseId: lease.id, leaseToken: other.leaseToken, ip: attacker, maxBadTokens: 5 })))?.code);
    }
    expect(codes).toEqual([...Array(5).fill("unauthenticated"), "lease_locked", "lease_locked"]);
    // Another address still gets the ordinary answer: its own count starts at one.
    expect((await refusal(resolveLease(db.prisma, { leaseId: lease.id, leaseToken: other.leaseToken, ip: "198.51.100.9", maxBadTokens: 5 })))?.code).toBe("unauthenticated");
    // The holder, even behind the attacker's address, is not stopped.
    expect((await resolveLease(db.prisma, { leaseId: lease.id, leaseToken: lease.leaseToken, ip: attacker, maxBadTokens: 5 })).value).toBe(s.value);
    await sealAudit(db.prisma);
    const events = await db.prisma.auditEvent.findMany({ where: { leaseId: lease.id }, orderBy: { seq: "asc" } });
    expect(events.map((e) => [e.type, e.ip])).toEqual([
      ["lease.granted", null],
      ["lease.bad_token", attacker],
      ["lease.locked", attacker],
      ["lease.bad_token", "198.51.100.9"],
      ["lease.resolved", attacker],
    ]);
    expect(events[2]).toMatchObject({ outcome: "denied", data: { source: attacker, attempts: 5 } });
    // The other lease is untouched.
    expect((await resolveLease(db.prisma, { leaseId: other.id, leaseToken: other.leaseToken })).value).toBe(s.value);
  });
});
