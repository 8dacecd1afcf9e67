// The HSM goes away under load: its token directory is moved out from under the
// running server. Requests needing the key answer 503 key_provider_unavailable (never
// a 500, never another key), the outage is audited once, and when the token is put
// back the server recovers on its own, without a restart.
import { renameSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { startServer, type TestServer } from "../test/server";
import { createSoftHsmToken, softHsmProblem, type SoftHsmToken } from "../test/softhsm";
import { bootstrap } from "../lib/orgs/bootstrap";
import { generateToken } from "../lib/crypto/tokens";
import { client } from "./http";

const ADMIN_TOKEN = generateToken("rva_");
const justification = "Load while the HSM is pulled away";

let hsm: SoftHsmToken;
let db: TestDatabase;
let server: TestServer;
let orgId: string;
let away: string;

beforeAll(async () => {
  const problem = softHsmProblem();
  if (problem) throw new Error(problem);
  hsm = createSoftHsmToken();
  away = `${hsm.tokenDir}.away`;
  db = await createTestDatabase();
  const boot = await bootstrap(db.prisma, { email: "owner@hsm-outage.test", password: "a long enough password", apiToken: ADMIN_TOKEN });
  if (!boot.created) throw new Error(`bootstrap skipped: ${boot.reason}`);
  orgId = boot.orgId;
  // No data-key cache: every resolve needs the HSM (with the cache, resolves of keys
  // unwrapped in the last minute would go on working through a short outage).
  server = await startServer({ databaseUrl: db.url, env: { ...hsm.env, RV_MASTER_KEY: undefined, RV_DATA_KEY_CACHE_SECONDS: "0" } });
}, 120_000);

afterAll(async () => {
  try {
    renameSync(away, hsm.tokenDir);
  } catch {
    // Already back.
  }
  await server?.stop();
  await db?.drop();
  hsm?.remove();
});

interface Sample {
  /** When the request was sent and when its answer came. */
  sent: number;
  at: number;
  kind: "resolve" | "rotate";
  status: number;
  code?: string;
}

describe("HSM pulled away mid-load", () => {
  it("answers 503 key_provider_unavailable while the token is gone, audits it once, and recovers without a restart", async () => {
    const call = client(server.url);
    const secret = await call("POST", "/api/v1/secrets", { token: ADMIN_TOKEN, body: { name: "LOAD_KEY", value: "load-value-1" } });
    expect(secret.status).toBe(201);
    const bot = await call("POST", "/api/v1/bots", { token: ADMIN_TOKEN, body: { name: "load-bot" } });
    expect((await call("POST", "/api/v1/grants", { token: ADMIN_TOKEN, body: { botId: bot.body.id, secretId: secret.body.id } })).status).toBe(201);
    const lease = await call("POST", "/api/leases", { token: bot.body.token, body: { secret: "LOAD_KEY", justification, ttlSeconds: 3600 } });
    expect(lease.status).toBe(201);

    const samples: Sample[] = [];
    let stop = false;
    let version = 1;
    const record = (kind: Sample["kind"], sent: number, res: { status: number; body: any }) =>
      samples.push({ sent, at: Date.now(), kind, status: res.status, code: res.body?.error?.code });
    const resolver = async () => {
      while (!stop) {
        const sent = Date.now();
        const res = await call("POST", `/api/leases/${lease.body.id}/resolve`, { token: lease.body.leaseToken });
        record("resolve", sent, res);
      }
    };
    const rotator = async () => {
      while (!stop) {
        const sent = Date.now();
        const res = await call("PUT", `/api/v1/secrets/${secret.body.id}`, { token: ADMIN_TOKEN, body: { value: `load-value-${++version}` } });
        record("rotate", sent, res);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const load = Promise.all([resolver(), resolver(), resolver(), rotator()]);

    await new Promise((r) => setTimeout(r, 1_500));
    const pulledAt = Date.now();
    renameSync(hsm.tokenDir, away);
    await new Promise((r) => setTimeout(r, 3_000));
    renameSync(away, hsm.tokenDir);
    const backAt = Date.now();
    // Recovery: the next use after the retry pause opens a new session.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !samples.some((s) => s.sent > backAt && s.kind === "resolve" && s.status === 200)) {
      await new Promise((r) => setTimeout(r, 100));
    }
    // Keep the load on a while after recovery.
    await new Promise((r) => setTimeout(r, 2_000));
    stop = true;
    await load;

    const before = samples.filter((s) => s.at < pulledAt);
    // Sent after the token left and answered before it came back.
    const during = samples.filter((s) => s.sent > pulledAt && s.at < backAt);
    const recovered = samples.find((s) => s.sent > backAt && s.status === 200);
    expect(recovered, "a success after the token came back").toBeDefined();
    // Within a few seconds of the token's return (the retry pause is 1 s).
    expect(recovered!.at - backAt).toBeLessThan(5_000);
    const after = samples.filter((s) => s.sent > recovered!.at);
    // Never a 500: only success, a rotation race (409) or the explicit outage.
    expect(samples.filter((s) => ![200, 409, 503].includes(s.status))).toEqual([]);
    expect(before.filter((s) => s.kind === "resolve").length).toBeGreaterThan(0);
    expect(before.every((s) => s.status === 200 || s.status === 409)).toBe(true);
    expect(during.length).toBeGreaterThan(0);
    for (const s of during) expect(s, JSON.stringify(s)).toMatchObject({ status: 503, code: "key_provider_unavailable" });
    expect(during.some((s) => s.kind === "resolve")).toBe(true);
    expect(during.some((s) => s.kind === "rotate")).toBe(true);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((s) => s.kind === "resolve").every((s) => s.status === 200 || s.status === 409)).toBe(true);
    expect(after.some((s) => s.kind === "rotate" && s.status === 200)).toBe(true);

    // Once per window, however many requests were refused.
    const refused = samples.filter((s) => s.status === 503).length;
    expect(refused).toBeGreaterThan(1);
    const count = async () => {
      const [row] = await db.prisma.$queryRaw<{ n: bigint }[]>`
        SELECT (SELECT count(*) FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "type" = 'key_provider.unavailable')
             + (SELECT count(*) FROM "AuditPending" WHERE "orgId" = ${orgId} AND "type" = 'key_provider.unavailable') AS n`;
      return Number(row.n);
    };
    expect(await count()).toBe(1);
    const [event] = await db.prisma.$queryRaw<{ outcome: string; reason: string }[]>`
      SELECT "outcome"::text, "reason" FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "type" = 'key_provider.unavailable'
      UNION ALL SELECT "outcome"::text, "reason" FROM "AuditPending" WHERE "orgId" = ${orgId} AND "type" = 'key_provider.unavailable'`;
    expect(event).toMatchObject({ outcome: "failure", reason: expect.stringMatching(/HSM/) });

    // The values written after recovery open: the newest version resolves.
    const res = await call("POST", `/api/leases/${lease.body.id}/resolve`, { token: lease.body.leaseToken });
    expect(res.status).toBe(200);
    expect(res.body.value).toMatch(/^load-value-\d+$/);
    // The server logged the outage, without any value.
    expect(server.logs()).toMatch(/key provider unavailable/);
    expect(server.logs()).not.toMatch(/load-value-/);
  }, 60_000);
});
