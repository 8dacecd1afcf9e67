// The overview's charts count what happened: issued and denied per hour and per day,
// the most-read secrets and the most-denied bots, for the caller's org only; and the
// "Denied (24 h)" figure agrees with the list of recent denials under it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { issueLease, sealAudit, seedScenario } from "../../test/fixtures";
import { requestLease } from "../leases/request-lease";
import { resolveLease } from "../leases/resolve-lease";
import { requestLeaseSchema } from "../validations/lease";
import { getOverviewActivity } from "./get-overview-activity";
import { getOverviewStats } from "./get-overview-stats";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const ask = (secret: string) => requestLeaseSchema.parse({ secret, justification: "Counting leases for the overview" });

describe("getOverviewActivity", () => {
  it("counts issued, denied, reads and denied bots", async () => {
    const s = await seedScenario(db.prisma);
    for (let i = 0; i < 3; i++) {
      const lease = await issueLease(db.prisma, { bot: s.principal, input: ask(s.secret.name) });
      if (i < 2) await resolveLease(db.prisma, { leaseId: lease.id, leaseToken: lease.leaseToken });
    }
    for (let i = 0; i < 2; i++) await expect(requestLease(db.prisma, { bot: s.principal, input: ask("NOT_GRANTED_KEY") })).rejects.toMatchObject({ code: "permission_denied" });
    // Noise in another org.
    const other = await seedScenario(db.prisma);
    await issueLease(db.prisma, { bot: other.principal, input: ask(other.secret.name) });
    await sealAudit(db.prisma);

    const a = await getOverviewActivity(db.prisma, { orgId: s.orgId });
    expect(a.hourly).toHaveLength(24);
    expect(a.daily).toHaveLength(7);
    const sum = (b: { issued: number; denied: number }[], k: "issued" | "denied") => b.reduce((n, x) => n + x[k], 0);
    expect([sum(a.hourly, "issued"), sum(a.hourly, "denied"), sum(a.daily, "issued"), sum(a.daily, "denied")]).toEqual([3, 2, 3, 2]);
    expect(a.topSecrets).toEqual([{ secretId: s.secret.id, name: s.secret.name, scope: "default", count: 2 }]);
    expect(a.topDeniedBots).toEqual([{ botId: s.bot.id, name: s.bot.name, count: 2 }]);

    const stats = await getOverviewStats(db.prisma, { orgId: s.orgId, role: "owner" });
    expect(stats.denied24h).toBe(2);
    expect(stats.recentDenials).toHaveLength(2);
    expect(stats.recentDenials!.every((e) => e.botName === s.bot.name)).toBe(true);
  });

  it("is empty for a new org", async () => {
    const s = await seedScenario(db.prisma);
    const a = await getOverviewActivity(db.prisma, { orgId: s.orgId });
    expect(a.hourly.every((b) => b.issued === 0 && b.denied === 0)).toBe(true);
    expect([a.topSecrets, a.topDeniedBots]).toEqual([[], []]);
  });
});
