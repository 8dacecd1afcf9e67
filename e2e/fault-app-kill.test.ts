// The app process is SIGKILLed (the whole `next start` group) mid-load and started
// again on the same port and database. Transactions cut off mid-flight must roll back
// whole: every lease still has its lease.granted event, no single-use lease was
// resolved twice, and the audit chain verifies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../lib/audit/verify-audit-chain";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedBot, seedGrant, seedOrg, seedSecret } from "../test/fixtures";
import { checkInvariants, sleep, startApp, startLoad, timeUntil, type App } from "./fault-harness";

let db: TestDatabase;
let app: App | undefined;
let orgId: string;
const bots: { token: string; secret: string; scope: string }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const org = await seedOrg(db.prisma);
  orgId = org.orgId;
  const { secret } = await seedSecret(db.prisma, orgId, { scope: "production" });
  for (let i = 0; i < 6; i++) {
    const bot = await seedBot(db.prisma, orgId);
    await seedGrant(db.prisma, orgId, bot.bot.id, secret.id);
    bots.push({ token: bot.token, secret: secret.name, scope: "production" });
  }
});

afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

describe("app killed with SIGKILL under load", () => {
  it("restarts clean: no lost audit event, no double resolve, chain intact", async () => {
    const env = { RV_MASTER_KEY: process.env.RV_MASTER_KEY };
    app = await startApp(db.url, { env });
    const port = Number(new URL(app.url).port);
    const load = startLoad(() => app!.url, bots, 8);

    for (let round = 0; round < 2; round++) {
      const before = load.issued.size;
      await timeUntil(() => load.issued.size >= before + 20, 20_000);
      expect(load.issued.size, app.logs()).toBeGreaterThanOrEqual(before + 20);
      // Mid-flight: wait until requests are outstanding, then kill without warning.
      app.kill();
      await sleep(500);
      app = await startApp(db.url, { port, env });
    }
    const restartedAt = Date.now();
    await timeUntil(() => load.answers.some((a) => a.op === "resolve" && a.status === 200 && a.at >= restartedAt), 15_000);
    await load.stop();

    // Refused connections while the app was down are expected; answers are not allowed to be 5xx.
    const answered = load.answers.filter((a) => typeof a.status === "number");
    const bad = answered.filter((a) => a.status !== 200 && a.status !== 201);
    expect(bad.slice(0, 10)).toEqual([]);
    expect(load.answers.filter((a) => a.status === "timeout")).toEqual([]);
    // The kills really cut requests off mid-flight.
    expect(load.answers.filter((a) => a.status === "network").length).toBeGreaterThan(0);
    console.info(`app kill: ${load.answers.length} answers, ${load.answers.filter((a) => a.status === "network").length} cut off, ${load.issued.size} leases issued`);
    expect(load.answers.some((a) => a.op === "resolve" && a.status === 200 && a.at >= restartedAt)).toBe(true);

    const inv = await checkInvariants(db.url, orgId, load);
    expect(inv.leases).toBeGreaterThanOrEqual(load.issued.size);
    expect(inv.leasesWithoutGrantEvent).toEqual([]);
    expect(inv.issuedButMissing).toEqual([]);
    expect(inv.resolvedTwice).toEqual([]);
    expect(inv.clientSawTwice).toEqual([]);
    expect(inv.resolvesWithoutEvent).toEqual([]);
    expect(await verifyAuditChain(db.prisma, { orgId })).toMatchObject({ ok: true });
  }, 120_000);
});
