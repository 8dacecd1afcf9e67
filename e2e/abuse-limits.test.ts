// Rate limits over HTTP: 429 with Retry-After, refusals audited once per window.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { issueLease, seedScenario } from "../test/fixtures";
import { startServer } from "../test/server";
import { requestLeaseSchema } from "../lib/validations/lease";
import { client } from "./http";

let db: TestDatabase;
let server: Awaited<ReturnType<typeof startServer>>;
let call: ReturnType<typeof client>;

const justification = "Reconcile unpaid invoices before month-end close";

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startServer({ databaseUrl: db.url, env: { RV_RATE_LIMIT_BOT_PER_MIN: "8", RV_RATE_LIMIT_IP_PER_MIN: "1000" } });
  call = client(server.url);
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

describe("abuse limits over HTTP", () => {
  it("answers 429 with Retry-After past the per-bot budget and audits it once", async () => {
    const s = await seedScenario(db.prisma);
    const results = [];
    for (let i = 0; i < 14; i++) {
      results.push(await call("POST", "/api/leases", { token: s.token, body: { secret: s.secret.name, justification } }));
    }
    // The per-minute window may roll over mid-loop; at least one refusal must appear.
    const refused = results.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.body.error.code).toBe("rate_limited");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    const events = await db.prisma.auditEvent.findMany({ where: { orgId: s.orgId, type: "rate_limit.exceeded" } });
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events.length).toBeLessThanOrEqual(2);
    expect(events.length).toBeLessThan(refused.length + 1);
    // Granted leases record the client address.
    const granted = await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: s.orgId, type: "lease.granted" } });
    expect(granted.ip).toMatch(/127\.0\.0\.1|::1|::ffff:127\.0\.0\.1/);
  });

  it("locks a lease after repeated wrong tokens: the right token then gets 423", async () => {
    const s = await seedScenario(db.prisma);
    const lease = await issueLease(db.prisma, { bot: s.principal, input: requestLeaseSchema.parse({ secret: s.secret.name, justification }) });
    for (let i = 0; i < 5; i++) {
      const wrong = await call("POST", `/api/leases/${lease.id}/resolve`, { token: `rvl_${"A".repeat(43)}` });
      expect(wrong.status).toBe(401);
    }
    const right = await call("POST", `/api/leases/${lease.id}/resolve`, { token: lease.leaseToken });
    expect(right.status).toBe(423);
    expect(right.body.error.code).toBe("lease_locked");
    expect(right.text).not.toContain(s.value);
  });
});
