// PostgreSQL restarts (crash-style, `pg_ctl -m immediate`) while bots lease and resolve.
// During the outage every request gets 503 `unavailable` within the client timeout;
// after it the same app process serves again within 5 s; no lease lost its audit
// event, no single-use lease was resolved twice, and the chain verifies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../lib/db/schema-engine";
import { createDatabase } from "../lib/db/scratch-database";
import { createPrismaClient, type PrismaClient } from "../lib/db/prisma";
import { verifyAuditChain } from "../lib/audit/verify-audit-chain";
import { seedBot, seedGrant, seedOrg, seedSecret } from "../test/fixtures";
import { CLIENT_TIMEOUT_MS, checkInvariants, clusterAvailable, createCluster, sleep, startApp, startLoad, timeUntil, type App, type Cluster } from "./fault-harness";

let cluster: Cluster;
let app: App;
let db: PrismaClient;
let url: string;
let orgId: string;
let bots: { token: string; secret: string; scope: string }[] = [];

beforeAll(async () => {
  cluster = await createCluster();
  url = await createDatabase(cluster.adminUrl, "vault");
  await applyMigrations(url);
  db = createPrismaClient(url, 4);
  const org = await seedOrg(db);
  orgId = org.orgId;
  const { secret } = await seedSecret(db, orgId, { scope: "production" });
  for (let i = 0; i < 6; i++) {
    const bot = await seedBot(db, orgId);
    await seedGrant(db, orgId, bot.bot.id, secret.id);
    bots.push({ token: bot.token, secret: secret.name, scope: "production" });
  }
  // The seeded values were sealed under this process's KEK.
  app = await startApp(url, { env: { RV_MASTER_KEY: process.env.RV_MASTER_KEY } });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await db?.$disconnect();
  cluster?.destroy();
});

describe.runIf(clusterAvailable())("PostgreSQL restart under load", () => {
  it("answers 503 during the outage, recovers without a restart, and loses nothing", async () => {
    const load = startLoad(() => app.url, bots, 6);
    await timeUntil(() => load.issued.size >= 20, 20_000);
    expect(load.issued.size, app.logs()).toBeGreaterThanOrEqual(20);

    const downAt = Date.now();
    cluster.stop("immediate");
    await sleep(3_000);
    cluster.start();
    const upAt = Date.now();
    // Served again: a lease granted after the database came back.
    const recoveryMs = await timeUntil(() => load.answers.some((a) => a.op === "lease" && a.status === 201 && a.at >= upAt), 15_000);
    await sleep(2_000);
    await load.stop();

    const during = load.answers.filter((a) => a.at >= downAt + 200 && a.at + a.ms < upAt);
    const failures = load.answers.filter((a) => a.status !== 200 && a.status !== 201);
    const summary = JSON.stringify({ recoveryMs, during: during.length, answers: load.answers.length, issued: load.issued.size, failures: failures.slice(0, 10) });
    console.info(`postgres restart: ${load.answers.length} answers, ${during.length} during the outage (all 503), recovered ${recoveryMs} ms after restart`);

    // The app kept answering throughout the outage, with the documented 503.
    expect(during.length, summary).toBeGreaterThan(5);
    expect(during.every((a) => a.status === 503 && a.code === "unavailable"), summary).toBe(true);
    // Nothing hung: every answer came back inside the client's timeout, none was a 500.
    expect(load.answers.filter((a) => a.status === "timeout" || a.status === "network"), summary).toEqual([]);
    expect(Math.max(...load.answers.map((a) => a.ms)), summary).toBeLessThan(CLIENT_TIMEOUT_MS);
    expect(failures.every((a) => a.status === 503 && a.code === "unavailable" && !a.badShape), summary).toBe(true);
    // And it came back on its own.
    expect(recoveryMs, summary).toBeLessThanOrEqual(5_000);

    const inv = await checkInvariants(url, orgId, load);
    expect(inv.leasesWithoutGrantEvent).toEqual([]);
    expect(inv.issuedButMissing).toEqual([]);
    expect(inv.resolvedTwice).toEqual([]);
    expect(inv.clientSawTwice).toEqual([]);
    expect(inv.resolvesWithoutEvent).toEqual([]);
    expect(await verifyAuditChain(db, { orgId })).toMatchObject({ ok: true });
    expect(app.logs()).not.toMatch(/unhandled error/);
  }, 90_000);
});
