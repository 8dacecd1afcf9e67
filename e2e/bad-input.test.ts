// Malformed requests get a clear 4xx in the documented error shape, never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { sealAudit, seedScenario } from "../test/fixtures";
import { startServer } from "../test/server";
import { client, type HttpResult } from "./http";

let db: TestDatabase;
let server: Awaited<ReturnType<typeof startServer>>;
let call: ReturnType<typeof client>;
let s: Awaited<ReturnType<typeof seedScenario>>;

beforeAll(async () => {
  db = await createTestDatabase();
  s = await seedScenario(db.prisma);
  // Same KEK as this process: the seeded secrets were sealed here.
  server = await startServer({ databaseUrl: db.url, env: { RV_MASTER_KEY: process.env.RV_MASTER_KEY } });
  call = client(server.url);
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

function expectError(res: HttpResult, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error).toMatchObject({ code, message: expect.any(String) });
  expect(res.text).not.toMatch(/at .*\.(ts|js):\d+|PrismaClient|node_modules/);
}

describe("bad input", () => {
  it("rejects broken and mistyped bodies with 400", async () => {
    expectError(await call("POST", "/api/leases", { token: s.token, raw: "{not json" }), 400, "invalid_json");
    expectError(await call("POST", "/api/leases", { token: s.token, raw: "\"just a string\"" }), 400, "validation_failed");
    const typed = await call("POST", "/api/leases", { token: s.token, body: { secret: 42, ttlSeconds: "soon", singleUse: "yes" } });
    expectError(typed, 400, "validation_failed");
    expect(typed.body.error.issues.map((i: { path: string[] }) => i.path[0]).sort()).toEqual(["secret", "singleUse", "ttlSeconds"]);
    expectError(await call("POST", "/api/leases", { token: s.token, body: { secret: "lower_case", justification: "x".repeat(20) } }), 400, "validation_failed");
    expectError(await call("POST", "/api/leases", { token: s.token, body: { secret: "A", extra: true } }), 400, "validation_failed");
    expectError(await call("POST", "/api/leases", { token: s.token, body: { secret: "A", ttlSeconds: -5 } }), 400, "validation_failed");
    expectError(await call("POST", "/api/v1/secrets", { token: s.adminToken, body: { name: "BIG", value: "x".repeat(64 * 1024 + 1) } }), 400, "validation_failed");
    // Each refused lease request of the authenticated bot is in the audit trail, by field path, without the body.
    await sealAudit(db.prisma);
    const refused = await db.prisma.auditEvent.findMany({ where: { orgId: s.orgId, botId: s.bot.id, type: "lease.denied" }, orderBy: { seq: "asc" } });
    expect(refused.map((e) => e.reason)).toEqual([
      "invalid_json: the lease request was malformed",
      ...Array.from({ length: 5 }, () => "validation_failed: the lease request was malformed"),
    ]);
    expect(refused[1].data).toBeNull();
    expect((refused[2].data as { fields: string[] }).fields.sort()).toEqual(["secret", "singleUse", "ttlSeconds"]);
    expect(JSON.stringify(refused.map((e) => ({ ...e, seq: Number(e.seq) })))).not.toMatch(/lower_case|soon|yes/);
    expectError(await call("POST", "/api/v1/secrets", { token: s.adminToken, body: { name: "../../etc/passwd", value: "v" } }), 400, "validation_failed");
    expectError(await call("PUT", "/api/v1/policy", { token: s.adminToken, body: { defaultTtlSeconds: 7200 } }), 400, "validation_failed");
    expectError(await call("POST", "/api/v1/leases/revoke", { token: s.adminToken, body: { all: true } }), 400, "validation_failed");
    // PostgreSQL cannot store NUL in text: these were a database error, a 500.
    expectError(await call("POST", "/api/v1/secrets", { token: s.adminToken, body: { name: "NUL_TEXT", value: "v", description: "a\u0000b" } }), 400, "validation_failed");
    expectError(await call("POST", "/api/leases", { token: s.token, body: { secret: s.secret.name, justification: "deploying \u0000 the release now" } }), 400, "validation_failed");
    expectError(await call("GET", "/api/v1/audit?q=%00", { token: s.adminToken }), 400, "validation_failed");
    expectError(await call("GET", "/api/v1/audit/export?q=a%00b", { token: s.adminToken }), 400, "validation_failed");
  });

  // Unknown keys are the caller's text: zod's message quoted them back (security review, issue 10).
  it("names no unknown field in a refusal", async () => {
    const res = await call("POST", "/api/v1/secrets", { token: s.adminToken, body: { name: "ECHO", value: "v", "<img src=x onerror=alert(1)>": 1, "\u202egnp.exe": 2 } });
    expectError(res, 400, "validation_failed");
    expect(res.body.error.issues).toEqual([{ path: [], code: "unrecognized_keys", message: expect.any(String) }]);
    expect(res.text).not.toMatch(/img|onerror|gnp|\\u202e/);
    const query = await call("GET", "/api/v1/audit?%3Cscript%3E=1", { token: s.adminToken });
    expectError(query, 400, "validation_failed");
    expect(query.text).not.toMatch(/script/);
  });

  it("rejects oversized, deep and wrongly typed payloads", async () => {
    expectError(await call("POST", "/api/v1/secrets", { token: s.adminToken, raw: JSON.stringify({ name: "X", value: "x".repeat(600 * 1024) }) }), 413, "payload_too_large");
    const deep = "[".repeat(5000) + "]".repeat(5000);
    expectError(await call("POST", "/api/leases", { token: s.token, raw: deep }), 400, "validation_failed");
    expectError(await call("POST", "/api/leases", { token: s.token, raw: "{}", headers: { "content-type": "text/plain" } }), 415, "unsupported_media_type");
    expectError(await call("POST", "/api/leases", { token: s.token, raw: "{\"secret\":\"\\ud800\"}" }), 400, "validation_failed");
  });

  it("rejects missing, malformed and wrong-kind tokens with 401", async () => {
    expectError(await call("POST", "/api/leases", { body: {} }), 401, "unauthenticated");
    expectError(await call("POST", "/api/leases", { token: "rvb_not-a-real-token", body: {} }), 401, "unauthenticated");
    expectError(await call("POST", "/api/leases", { token: s.adminToken, body: {} }), 401, "unauthenticated");
    expectError(await call("GET", "/api/v1/secrets", { token: s.token }), 401, "unauthenticated");
    expectError(await call("GET", "/api/v1/secrets", { headers: { authorization: "Basic Zm9vOmJhcg==" } }), 401, "unauthenticated");
    expectError(await call("GET", "/api/v1/secrets", { headers: { authorization: `Bearer ${"rva_" + "x".repeat(5000)}` } }), 401, "unauthenticated");
    expectError(await call("POST", "/api/leases/lse_000000000000000000000000/resolve", { token: s.token }), 401, "unauthenticated");
  });

  it("answers bad ids and unknown routes with JSON 4xx", async () => {
    expectError(await call("GET", "/api/leases/not-an-id", { token: s.token }), 400, "validation_failed");
    expectError(await call("GET", "/api/v1/secrets/sec_..%2F..%2Fetc", { token: s.adminToken }), 400, "validation_failed");
    expectError(await call("GET", "/api/v1/secrets/sec_000000000000000000000000", { token: s.adminToken }), 404, "not_found");
    expectError(await call("POST", "/api/leases/%00/resolve", { token: "rvl_x" }), 401, "unauthenticated");
    expectError(await call("GET", "/api/nope/nothing", {}), 404, "not_found");
    expectError(await call("GET", "/api/v1/audit?limit=abc", { token: s.adminToken }), 400, "validation_failed");
    expectError(await call("GET", "/api/v1/audit?cursor=-1", { token: s.adminToken }), 400, "validation_failed");
    // Past PostgreSQL's bigint: these were a database range error, a 500.
    expectError(await call("GET", "/api/v1/audit?cursor=9999999999999999999", { token: s.adminToken }), 400, "validation_failed");
    expectError(await call("GET", "/api/v1/events?after=9223372036854775808", { token: s.adminToken }), 400, "validation_failed");
    // A time-range page's cursor carries createdAt; each works only with the ordering it came from.
    expectError(await call("GET", "/api/v1/audit?cursor=t1615712400000.42", { token: s.adminToken }), 400, "validation_failed");
    expectError(await call("GET", "/api/v1/audit?cursor=42&from=2021-03-14T00:00:00Z", { token: s.adminToken }), 400, "validation_failed");
    expectError(await call("GET", "/api/v1/audit?cursor=t1615712400000&to=2021-03-14T00:00:00Z", { token: s.adminToken }), 400, "validation_failed");
    expectError(await call("GET", "/api/v1/audit?from=yesterday", { token: s.adminToken }), 400, "validation_failed");
  });
});

describe("response headers", () => {
  it("sends security headers on API responses and pages", async () => {
    for (const path of ["/api/health", "/"]) {
      const res = await fetch(server.url + path);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get("x-powered-by")).toBeNull();
    }
    const api = await fetch(server.url + "/api/v1/secrets");
    expect(api.status).toBe(401);
    expect(api.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    expect(api.headers.get("cache-control")).toBe("no-store");
  });
});
