// Rate limits over HTTP: 429 with Retry-After, refusals audited once per window; and
// the abuse findings of the security review (issue 10): lease lockout by strangers,
// bodies buffered whole before the size check, audit flooding by refused admins,
// unknown tokens outside the per-IP budget, and verify's cost.
// The server trusts one proxy hop, so each test speaks from its own address
// (X-Forwarded-For) and spends its own per-IP budget.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { issueLease, sealAudit, seedOrg, seedScenario } from "../test/fixtures";
import { startServer } from "../test/server";
import { requestLeaseSchema } from "../lib/validations/lease";
import { client } from "./http";

let db: TestDatabase;
let server: Awaited<ReturnType<typeof startServer>>;
let call: ReturnType<typeof client>;

const justification = "Reconcile unpaid invoices before month-end close";
const IP_PER_MIN = 30;
const ADMIN_PER_MIN = 10;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startServer({
    databaseUrl: db.url,
    env: {
      RV_RATE_LIMIT_BOT_PER_MIN: "8",
      RV_RATE_LIMIT_IP_PER_MIN: String(IP_PER_MIN),
      RV_RATE_LIMIT_ADMIN_PER_MIN: String(ADMIN_PER_MIN),
      RV_TRUSTED_PROXIES: "1",
    },
  });
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
      results.push(await call("POST", "/api/leases", { token: s.token, body: { secret: s.secret.name, justification }, headers: from("192.0.2.1") }));
    }
    // The per-minute window may roll over mid-loop; at least one refusal must appear.
    const refused = results.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.body.error.code).toBe("rate_limited");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    await sealAudit(db.prisma);
    const events = await db.prisma.auditEvent.findMany({ where: { orgId: s.orgId, type: "rate_limit.exceeded" } });
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events.length).toBeLessThanOrEqual(2);
    expect(events.length).toBeLessThan(refused.length + 1);
    // Granted leases record the client address.
    await sealAudit(db.prisma);
    const granted = await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: s.orgId, type: "lease.granted" } });
    expect(granted.ip).toBe("192.0.2.1");
  });

  it("lets the holder resolve however many wrong tokens others send; the sender's address is locked out and recorded", async () => {
    const s = await seedScenario(db.prisma);
    const lease = await issueLease(db.prisma, { bot: s.principal, input: requestLeaseSchema.parse({ secret: s.secret.name, justification }) });
    // Anyone who can list leases knows the id; the token is what they lack.
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const wrong = await call("POST", `/api/leases/${lease.id}/resolve`, { token: `rvl_${"A".repeat(43)}`, headers: from("203.0.113.66") });
      statuses.push(wrong.status);
    }
    const right = await call("POST", `/api/leases/${lease.id}/resolve`, { token: lease.leaseToken, headers: from("198.51.100.7") });
    expect(right.status).toBe(200);
    expect(right.body.value).toBe(s.value);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 423, 423]);
    await sealAudit(db.prisma);
    const refusals = await db.prisma.auditEvent.findMany({ where: { leaseId: lease.id, type: { in: ["lease.bad_token", "lease.locked"] } }, orderBy: { seq: "asc" } });
    expect(refusals.map((e) => [e.type, e.ip])).toEqual([
      ["lease.bad_token", "203.0.113.66"],
      ["lease.locked", "203.0.113.66"],
    ]);
    await sealAudit(db.prisma);
    const resolved = await db.prisma.auditEvent.findFirstOrThrow({ where: { leaseId: lease.id, type: "lease.resolved" } });
    expect(resolved.ip).toBe("198.51.100.7");
  });

  it("refuses an endless chunked body at the size limit instead of buffering it (frozen bot, and no credentials at all)", async () => {
    const s = await seedScenario(db.prisma);
    await db.prisma.bot.update({ where: { id: s.bot.id }, data: { frozenAt: new Date() } });
    const asBot = await chunkedUpload("/api/leases", { authorization: `Bearer ${s.token}`, "content-type": "application/json" });
    expect(asBot.status).toBe(413);
    expect(JSON.parse(asBot.body).error.code).toBe("payload_too_large");
    expect(asBot.sent).toBeLessThan(UPLOAD_BOUND);
    // The sign-in endpoint reads bodies for next-auth, before anyone is known. proxy.ts runs
    // on it, and Next reads such bodies to their end before any handler (keeping at most
    // 1 MB, next.config.ts), so here the refusal can only come after the upload: 8 MiB.
    const anonymous = await chunkedUpload("/api/auth/callback/credentials", { "content-type": "application/x-www-form-urlencoded" }, 8 * 1024 * 1024);
    expect(anonymous.status).toBe(413);
  });

  it("limits a refused admin's requests and records each kind of refusal once per window", async () => {
    const viewer = await seedOrg(db.prisma, "viewer");
    const statuses: number[] = [];
    // More than twice the budget: whichever way the minute falls, one window goes over it.
    for (let i = 0; i < 2 * ADMIN_PER_MIN + 5; i++) statuses.push((await call("GET", "/api/v1/audit", { token: viewer.adminToken, headers: from("192.0.2.21") })).status);
    expect(statuses).toContain(403);
    expect(statuses).toContain(429);
    expect(statuses.every((st) => st === 403 || st === 429)).toBe(true);
    await sealAudit(db.prisma);
    const denied = await db.prisma.auditEvent.count({ where: { orgId: viewer.orgId, type: "admin.denied" } });
    expect(denied).toBeGreaterThanOrEqual(1);
    expect(denied).toBeLessThanOrEqual(2);
    await sealAudit(db.prisma);
    const limited = await db.prisma.auditEvent.findMany({ where: { orgId: viewer.orgId, type: "rate_limit.exceeded" } });
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited.length).toBeLessThanOrEqual(2);
    expect(limited[0]).toMatchObject({ actorType: "user", actorId: viewer.user.id, ip: "192.0.2.21", outcome: "denied" });
  });

  it("counts unknown bot and admin tokens against the address's budget", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 2 * IP_PER_MIN + 5; i++) {
      const token = i % 2 ? `rvb_${"B".repeat(43)}` : `rva_${"C".repeat(43)}`;
      const path = i % 2 ? "/api/leases" : "/api/v1/secrets";
      statuses.push((await call(i % 2 ? "POST" : "GET", path, { token, body: i % 2 ? { secret: "X", justification } : undefined, headers: from("192.0.2.31") })).status);
    }
    expect(statuses).toContain(401);
    expect(statuses).toContain(429);
    expect(statuses.every((st) => st === 401 || st === 429)).toBe(true);
    // Another address is not affected.
    expect((await call("GET", "/api/v1/secrets", { token: `rva_${"C".repeat(43)}`, headers: from("192.0.2.32") })).status).toBe(401);
  });

  it("verifies from the last signed checkpoint by default and walks the whole chain on request", async () => {
    const s = await seedScenario(db.prisma);
    await sealAudit(db.prisma, s.orgId);
    const headers = from("192.0.2.41");
    const incremental = await call("GET", "/api/v1/audit/verify", { token: s.adminToken, headers });
    expect(incremental.body).toMatchObject({ ok: true, mode: "incremental" });
    expect(incremental.body.walked).toBeLessThan(incremental.body.checked);
    const full = await call("GET", "/api/v1/audit/verify?full=true", { token: s.adminToken, headers });
    expect(full.body).toMatchObject({ ok: true, mode: "full", checked: incremental.body.checked, walked: incremental.body.checked });
    expect((await call("GET", "/api/v1/audit/verify?full=yes", { token: s.adminToken, headers })).status).toBe(400);
  });
});

const from = (address: string) => ({ "x-forwarded-for": address });

// Bytes a client may get out before a refusal that reads no further than the limit
// (512 KiB) plus the socket buffers in between; the upload offers 64 MiB.
const UPLOAD_BOUND = 16 * 1024 * 1024;
const UPLOAD_OFFERED = 64 * 1024 * 1024;

/**
 * POSTs a chunked body (no Content-Length) of JSON whitespace, up to `offered`, as fast as
 * the server takes it, and reports the response and how much had been sent when it came.
 */
/**
 * The server answers before the upload ends and closes the connection with the rest
 * unread; now and then the client's next write meets the reset before it has read the
 * answer (EPIPE/ECONNRESET, as with any HTTP/1.1 early response). Only then: try again.
 */
async function chunkedUpload(path: string, headers: Record<string, string>, offered = UPLOAD_OFFERED): Promise<{ status: number; body: string; sent: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await chunkedUploadOnce(path, headers, offered);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (attempt >= 5 || (code !== "EPIPE" && code !== "ECONNRESET")) throw err;
    }
  }
}

function chunkedUploadOnce(path: string, headers: Record<string, string>, offered: number): Promise<{ status: number; body: string; sent: number }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let responded = false;
    let wakeWriter = () => {};
    const req = http.request({ host: hostname, port: Number(port), path, method: "POST", headers: { ...headers, "transfer-encoding": "chunked", ...from("192.0.2.51") } });
    req.on("response", (res) => {
      responded = true;
      wakeWriter();
      const sentBefore = sent;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body, sent: sentBefore });
      });
      res.on("error", () => resolve({ status: res.statusCode ?? 0, body, sent: sentBefore }));
    });
    req.on("error", (err) => {
      if (!responded) reject(err);
    });
    const chunk = Buffer.alloc(64 * 1024, " ");
    void (async () => {
      while (!responded && sent < offered) {
        const flushed = req.write(chunk);
        sent += chunk.length;
        if (!flushed) {
          await new Promise<void>((r) => {
            wakeWriter = r;
            req.once("drain", r);
          });
        }
      }
      if (!responded) req.end();
    })();
  });
}
