// Which address the built server records and rate-limits by. Without RV_TRUSTED_PROXIES
// a forged X-Forwarded-For (or X-Real-IP, or our own peer header) changes neither the
// audited ip nor the per-IP bucket, so rotating it does not escape the per-IP limit;
// with one trusted hop the address the proxy appended is used.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { sealAudit, seedScenario } from "../test/fixtures";
import { startServer, type TestServer } from "../test/server";
import { client } from "./http";

const justification = "Reconcile unpaid invoices before month-end close";
const LOCAL = /^(127\.0\.0\.1|::1)$/;

let db: TestDatabase;
let direct: TestServer;
let proxied: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  // One after the other: two `next start` at once compete for the two cores.
  direct = await startServer({ databaseUrl: db.url, env: { RV_RATE_LIMIT_IP_PER_MIN: "5" } });
  proxied = await startServer({ databaseUrl: db.url, env: { RV_TRUSTED_PROXIES: "1" } });
});
afterAll(async () => {
  await direct?.stop();
  await proxied?.stop();
  await db?.drop();
});

async function grantedIps(orgId: string) {
  await sealAudit(db.prisma);
  const events = await db.prisma.auditEvent.findMany({ where: { orgId, type: "lease.granted" }, orderBy: { seq: "asc" } });
  return events.map((e) => e.ip);
}

async function ipBuckets() {
  return (await db.prisma.rateLimitBucket.findMany({ select: { key: true } })).map((b) => b.key).filter((k) => k.startsWith("ip:"));
}

describe("client address without trusted proxies", () => {
  it("records the TCP peer, not a forged X-Forwarded-For, X-Real-IP or peer header", async () => {
    const s = await seedScenario(db.prisma);
    const call = client(direct.url);
    const forged: Record<string, string>[] = [
      { "x-forwarded-for": "203.0.113.7" },
      { "x-forwarded-for": "203.0.113.8, 198.51.100.2", "x-real-ip": "203.0.113.9" },
      { "x-runtime-vault-peer": "203.0.113.10 guessed-nonce", "x-forwarded-for": "203.0.113.10" },
    ];
    for (const headers of forged) {
      const res = await call("POST", "/api/leases", { token: s.token, body: { secret: s.secret.name, justification }, headers });
      expect(res.status).toBe(201);
    }
    const ips = await grantedIps(s.orgId);
    expect(ips).toHaveLength(3);
    for (const ip of ips) expect(ip).toMatch(LOCAL);
    const buckets = await ipBuckets();
    expect(buckets.length).toBeGreaterThan(0);
    for (const key of buckets) expect(key).toMatch(/^ip:(127\.0\.0\.1|::1)$/);
  });

  it("keeps a caller who rotates X-Forwarded-For inside the per-IP limit", async () => {
    const s = await seedScenario(db.prisma);
    const call = client(direct.url);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await call("POST", "/api/leases", { token: s.token, body: { secret: s.secret.name, justification }, headers: { "x-forwarded-for": `198.51.100.${i + 1}` } });
      statuses.push(res.status);
    }
    // The per-minute window may roll over mid-loop; 12 requests over a limit of 5 still
    // leave one window over it.
    expect(statuses).toContain(429);
  });
});

describe("client address behind one trusted proxy (RV_TRUSTED_PROXIES=1)", () => {
  it("records the address the proxy appended and rate-limits by it", async () => {
    const s = await seedScenario(db.prisma);
    const call = client(proxied.url);
    // The client wrote 198.51.100.66; the proxy appended the address it saw.
    const res = await call("POST", "/api/leases", { token: s.token, body: { secret: s.secret.name, justification }, headers: { "x-forwarded-for": "198.51.100.66, 203.0.113.44" } });
    expect(res.status).toBe(201);
    // X-Real-IP is not read: proxies are expected to append to X-Forwarded-For.
    const plain = await call("POST", "/api/leases", { token: s.token, body: { secret: s.secret.name, justification }, headers: { "x-real-ip": "203.0.113.45" } });
    expect(plain.status).toBe(201);
    const ips = await grantedIps(s.orgId);
    expect(ips[0]).toBe("203.0.113.44");
    expect(ips[1]).toMatch(LOCAL);
    expect(await ipBuckets()).toContain("ip:203.0.113.44");
    expect(await ipBuckets()).not.toContain("ip:198.51.100.66");
  });

  it("records the sign-in attempt's address the same way", async () => {
    const s = await seedScenario(db.prisma);
    const csrf = await fetch(`${proxied.url}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const res = await fetch(`${proxied.url}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie, "x-forwarded-for": "198.51.100.67, 203.0.113.46" },
      body: new URLSearchParams({ csrfToken, email: s.user.email, password: "wrong password entirely", json: "true" }),
    });
    await res.text();
    await sealAudit(db.prisma);
    const failed = await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: s.orgId, type: "member.sign_in_failed" } });
    expect(failed.ip).toBe("203.0.113.46");
  });
});

describe("RV_TRUSTED_PROXIES that cannot be read", () => {
  it("stops the server at start instead of guessing", async () => {
    const started = startServer({ databaseUrl: db.url, env: { RV_TRUSTED_PROXIES: "*" } });
    await expect(started).rejects.toThrow(/RV_TRUSTED_PROXIES: trusting every address lets clients choose their own/);
  });
});
