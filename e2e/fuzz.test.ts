// Property-based fuzzing (fast-check) of every bot, admin and auth route against one
// running server: at least 10,000 generated requests with wrong types, huge and deep
// bodies, unicode edge cases, path traversal, header abuse and wrong or malformed
// tokens. Properties: no 5xx, ever; every error from an API route is the documented
// {"error":{"code","message"}}. Requests go out through node:http so paths reach the
// server exactly as generated (fetch would normalise "..").
import http from "node:http";
import zlib from "node:zlib";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedScenario } from "../test/fixtures";
import { requestLease } from "../lib/leases/request-lease";
import { NO_RATE_LIMITS, startApp, type App } from "./fault-harness";

const TOTAL = 10_500;
const CONCURRENCY = 8;
const SEED = Number(process.env.RV_FUZZ_SEED ?? Date.now() % 2 ** 31);

let db: TestDatabase;
let app: App;
let s: Awaited<ReturnType<typeof seedScenario>>;
let lease: { id: string; leaseToken: string };

beforeAll(async () => {
  db = await createTestDatabase();
  s = await seedScenario(db.prisma, { scope: "production" });
  lease = (await requestLease(db.prisma, { bot: s.principal, input: { secret: s.secret.name, scope: "production", justification: "Fuzzing needs one live lease" } })) as typeof lease;
  app = await startApp(db.url, { env: { RV_MASTER_KEY: process.env.RV_MASTER_KEY, ...NO_RATE_LIMITS } });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

type Auth = "bot" | "admin" | "lease" | "none";
interface Route {
  methods: string[];
  path: string;
  auth: Auth;
}

// Every route under app/api and app/v1 (the [...path] catch-alls answer the rest).
const ROUTES: Route[] = [
  { methods: ["POST"], path: "/api/leases", auth: "bot" },
  { methods: ["GET", "DELETE"], path: "/api/leases/:lse", auth: "bot" },
  { methods: ["POST"], path: "/api/leases/:lse/resolve", auth: "lease" },
  { methods: ["GET"], path: "/api/mounts/:name", auth: "bot" },
  { methods: ["GET"], path: "/api/vault/secrets", auth: "bot" },
  { methods: ["POST"], path: "/api/vault/read", auth: "bot" },
  { methods: ["GET"], path: "/api/health", auth: "none" },
  { methods: ["GET", "POST"], path: "/api/v1/secrets", auth: "admin" },
  { methods: ["GET", "PUT", "DELETE"], path: "/api/v1/secrets/:sec", auth: "admin" },
  { methods: ["GET", "POST"], path: "/api/v1/bots", auth: "admin" },
  { methods: ["DELETE"], path: "/api/v1/bots/:bot", auth: "admin" },
  { methods: ["POST"], path: "/api/v1/bots/:bot/freeze", auth: "admin" },
  { methods: ["POST"], path: "/api/v1/bots/:bot/unfreeze", auth: "admin" },
  { methods: ["POST"], path: "/api/v1/bots/:bot/rotate-token", auth: "admin" },
  { methods: ["GET", "POST", "DELETE"], path: "/api/v1/grants", auth: "admin" },
  { methods: ["PATCH", "DELETE"], path: "/api/v1/grants/:grt", auth: "admin" },
  { methods: ["GET", "PUT"], path: "/api/v1/policy", auth: "admin" },
  { methods: ["GET"], path: "/api/v1/leases", auth: "admin" },
  { methods: ["POST"], path: "/api/v1/leases/:lse/revoke", auth: "admin" },
  { methods: ["POST"], path: "/api/v1/leases/revoke", auth: "admin" },
  { methods: ["GET"], path: "/api/v1/audit", auth: "admin" },
  { methods: ["GET"], path: "/api/v1/audit/verify", auth: "admin" },
  { methods: ["GET"], path: "/api/v1/audit/export", auth: "admin" },
  { methods: ["GET"], path: "/api/v1/events", auth: "admin" },
  { methods: ["GET"], path: "/api/v1/approvals", auth: "admin" },
  { methods: ["POST"], path: "/api/v1/approvals/:lse/approve", auth: "admin" },
  { methods: ["POST"], path: "/api/v1/approvals/:lse/deny", auth: "admin" },
  { methods: ["GET", "POST"], path: "/api/v1/members", auth: "admin" },
  { methods: ["PATCH", "DELETE"], path: "/api/v1/members/:usr", auth: "admin" },
  { methods: ["GET", "POST"], path: "/api/v1/mounts", auth: "admin" },
  { methods: ["GET", "PUT", "DELETE"], path: "/api/v1/mounts/:mnt", auth: "admin" },
  { methods: ["GET", "POST"], path: "/api/v1/tokens", auth: "admin" },
  { methods: ["DELETE"], path: "/api/v1/tokens/:tok", auth: "admin" },
  { methods: ["GET", "POST"], path: "/api/auth/session", auth: "none" },
  { methods: ["GET"], path: "/api/auth/csrf", auth: "none" },
  { methods: ["GET"], path: "/api/auth/providers", auth: "none" },
  { methods: ["POST"], path: "/api/auth/callback/credentials", auth: "none" },
  { methods: ["POST"], path: "/api/auth/signout", auth: "none" },
  { methods: ["GET", "POST"], path: "/api/nope/:any", auth: "none" },
  { methods: ["GET", "POST"], path: "/v1/vault/secrets", auth: "admin" },
  { methods: ["DELETE"], path: "/v1/vault/secrets/:sec", auth: "admin" },
  { methods: ["POST"], path: "/v1/vault/grants", auth: "admin" },
  { methods: ["GET", "POST"], path: "/v1/nope/:any", auth: "none" },
];

// ----- arbitraries -------------------------------------------------------------------

const hex24 = fc.stringMatching(/^[0-9a-f]{24}$/);
const enc = (t: string) => encodeURIComponent(t);
const nasty = [
  "..", "%2e%2e", "..%2f..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%5c..%5cwindows", "%00", "%ff%fe", "%c0%ae%c0%ae",
  "%252e%252e", "lse_%00", "sec_../../etc", "CON", "%E2%80%AE", "%F0%9F%92%A9", "a".repeat(3000), "%", "%zz", "__proto__", "constructor",
];
function segment(kind: string) {
  const real: Record<string, () => string> = {
    lse: () => lease.id, sec: () => s.secret.id, bot: () => s.bot.id, grt: () => s.grant.id, usr: () => s.user.id, mnt: () => "mnt_" + "0".repeat(24), name: () => "deploy",
  };
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(null).map(() => real[kind]?.() ?? "x") },
    { weight: 3, arbitrary: hex24.map((h) => `${kind}_${h}`) },
    { weight: 4, arbitrary: fc.constantFrom(...nasty) },
    { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }).map(enc) },
    { weight: 2, arbitrary: fc.string({ maxLength: 30 }).map(enc) },
    { weight: 1, arbitrary: fc.constantFrom(`${kind}_${"f".repeat(25)}`, `${kind.toUpperCase()}_${"0".repeat(24)}`, `${kind}_`, "") },
  );
}

const QUERY_KEYS = ["type", "botId", "secretId", "leaseId", "outcome", "actorId", "q", "from", "to", "cursor", "limit", "format", "status", "after", "all", "callbackUrl", "__proto__"];
const queryValue = fc.oneof(
  fc.constantFrom("", "-1", "0", "1", "500", "501", "1e3", "9999999999999999999", "99999999999999999999", "NaN", "null", "[]", "{}", "true",
    "2024-01-01T00:00:00Z", "2024-13-45T99:99:99Z", "yesterday", "csv", "json", "xml", "lease.granted", "bot_" + "0".repeat(24), "%00", "%ff", "%E2%80%AE"),
  fc.string({ unit: "binary", maxLength: 30 }).map(enc),
  fc.nat().map(String),
);
const query = fc.array(fc.tuple(fc.constantFrom(...QUERY_KEYS), queryValue), { maxLength: 4 }).map((pairs) => (pairs.length ? "?" + pairs.map(([k, v]) => `${k}=${v}`).join("&") : ""));

const tokenOf = (auth: Auth | "wrong") => ({ bot: s.token, admin: s.adminToken, lease: lease.leaseToken, none: "", wrong: "" })[auth];
const token = (auth: Auth) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constant(auth === "none" ? "" : `Bearer ${tokenOf(auth)}`) },
    { weight: 2, arbitrary: fc.constantFrom(`Bearer ${s.token}`, `Bearer ${s.adminToken}`, `Bearer ${lease.leaseToken}`) },
    { weight: 1, arbitrary: fc.constant("") },
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc.constantFrom("rvb_", "rva_", "rvl_", "").chain((p) => fc.string({ unit: "binary-ascii", maxLength: 80 }).map((t) => `Bearer ${p}${t.replace(/[^\t\x20-\x7e]/g, "")}`)),
        fc.constantFrom(
          `bearer ${s.adminToken}`, `BEARER  ${s.adminToken}`, `Bearer\t${s.token}`, `Bearer ${s.adminToken} extra`, `Bearer ${s.adminToken.slice(0, -1)}`,
          `Bearer ${s.adminToken}x`, `Basic ${Buffer.from("admin:admin").toString("base64")}`, "Bearer", "Bearer ", `Token ${s.adminToken}`,
          `Bearer rva_${"A".repeat(4000)}`, "Bearer rvb_\u00ff\u00fe", `Bearer ${s.token.toUpperCase()}`, "Bearer null", "Bearer undefined",
        ),
      ),
    },
  );

const unicodeText = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom("\u0000", "\ufeff", "\u202e", "\u200b", "e\u0301", "\ud83d\udca9", "İ", "ß", "Ａ", "..\u2215..", "\u00a0"),
);
const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  unicodeText,
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, "", [], {}),
);
/** Plausible bodies for the routes, field by field, with values of every wrong type. */
const knownFields = ["callbackUrl", "csrfToken", "secret", "scope", "justification", "ttlSeconds", "singleUse", "mount", "name", "value", "description", "tags", "botId", "secretId", "maxTtlSeconds", "singleUseOnly", "mountId", "reason", "all", "email", "role", "password", "defaultTtlSeconds", "minJustificationLength", "requireJustification", "approvalTags", "approvalsRequired", "command", "args", "mappings", "justificationTemplate", "url", "headers", "tool", "tools", "id", "revealToAgent", "agent_id", "secret_id", "__proto__", "constructor"];
const objectBody = fc.dictionary(fc.oneof(fc.constantFrom(...knownFields), fc.string({ maxLength: 8 })), jsonValue, { maxKeys: 6 }).map((o) => JSON.stringify(o));
const validishLease = fc.record({ secret: fc.constantFrom("KEY_A", "X", "lower", ""), scope: fc.constantFrom("production", "default", "PROD", "../x"), justification: unicodeText, ttlSeconds: fc.oneof(fc.integer(), fc.double()), singleUse: fc.oneof(fc.boolean(), fc.constant("yes")) }, { requiredKeys: [] }).map((o) => JSON.stringify(o));
const body = fc.oneof(
  { weight: 6, arbitrary: objectBody },
  { weight: 2, arbitrary: validishLease },
  { weight: 2, arbitrary: jsonValue.map((v) => JSON.stringify(v) ?? "null") },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constantFrom("{", "{\"a\":", "[1,2", "{\"secret\":\"\\ud800\"}", "\"\\u0000\"", "{\"a\":1,\"a\":2}", "NaN", "1e999999", "{\"__proto__\":{\"admin\":true}}", "") },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((d) => "[".repeat(d) + "]".repeat(d)) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5_000 }).map((d) => "{\"a\":".repeat(d) + "1" + "}".repeat(d)) },
  { weight: 1, arbitrary: fc.constantFrom(64 * 1024 + 1, 300_000, 600_000).map((n) => JSON.stringify({ name: "BIG", value: "x".repeat(n) })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
);
const headerText = fc.string({ unit: "binary-ascii", maxLength: 40 }).map((t) => t.replace(/[^\t\x20-\x7e]/g, ""));
const extraHeaders = fc.dictionary(
  fc.constantFrom("x-forwarded-for", "x-real-ip", "x-forwarded-host", "x-forwarded-proto", "host", "x-middleware-subrequest", "accept", "origin", "cookie", "x-http-method-override", "accept-encoding", "last-event-id", "content-encoding", "transfer-encoding-x"),
  fc.oneof(
    headerText,
    fc.constantFrom(
      "middleware:middleware:middleware:middleware:middleware", "src/middleware", "1.1.1.1, ".repeat(500), "next-auth.session-token=garbage; __Secure-next-auth.session-token=x",
      "next-auth.callback-url=garbage", "next-auth.callback-url=https://evil.example/x; next-auth.csrf-token=x", "evil.example", "evil.example:8443", "[::1]:99999", "gzip", "text/html", "null", "99999999999999999999",
    ),
  ),
  { maxKeys: 3 },
);
const contentType = fc.constantFrom(undefined, "application/json", "application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16", "APPLICATION/JSON", "application/jsonx", "");

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

const request: fc.Arbitrary<Req> = fc.constantFrom(...ROUTES).chain((route) =>
  fc
    .record({
      method: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...route.methods) }, { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS") }),
      segments: fc.tuple(...[...route.path.matchAll(/:(\w+)/g)].map((m) => segment(m[1])), fc.constant(null)),
      query,
      auth: token(route.auth),
      body: fc.option(body, { freq: 4 }),
      contentType,
      extra: extraHeaders,
    })
    .map(({ method, segments, query, auth, body, contentType, extra }) => {
      let i = 0;
      const path = route.path.replace(/:(\w+)/g, () => String(segments[i++])) + query;
      const headers: Record<string, string> = { ...extra };
      if (auth) headers.authorization = auth;
      if (contentType !== undefined) headers["content-type"] = contentType;
      return { method, path, headers, body: body ?? undefined };
    }),
);

// ----- the driver ----------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(base: URL, req: Req): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.path,
        // An explicit length: Node sends GET/DELETE bodies unframed otherwise, and the
        // server would read them as the next request (a client bug, not a finding).
        headers: req.body === undefined ? req.headers : { ...req.headers, "content-length": String(Buffer.byteLength(req.body)) },
        agent,
        timeout: 30_000,
      },
      (res) => {
        // The event stream never ends on its own: its status and type are the answer.
        if ((res.headers["content-type"] ?? "").startsWith("text/event-stream")) {
          res.destroy();
          resolve({ status: res.statusCode!, type: String(res.headers["content-type"]), text: "" });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        // Generated accept-encoding headers get compressed answers: decode them.
        const encoding = String(res.headers["content-encoding"] ?? "");
        const stream =
          encoding === "gzip" ? res.pipe(zlib.createGunzip()) : encoding === "br" ? res.pipe(zlib.createBrotliDecompress()) : encoding === "deflate" ? res.pipe(zlib.createInflate()) : res;
        stream.on("data", (c: Buffer) => {
          size += c.length;
          if (size < 2_000_000) chunks.push(c);
        });
        stream.on("end", () => resolve({ status: res.statusCode!, type: String(res.headers["content-type"] ?? ""), text: Buffer.concat(chunks).toString("utf8") }));
        stream.on("error", reject);
      },
    );
    r.on("timeout", () => r.destroy(new Error("client timeout")));
    r.on("error", reject);
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

/** One request whose response headers matter (HEAD, OPTIONS, cookies). */
function rawHeaders(req: Req): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  const base = new URL(app.url);
  return new Promise((resolve, reject) => {
    const r = http.request({ host: base.hostname, port: base.port, method: req.method, path: req.path, headers: req.headers, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers }));
    });
    r.on("error", reject);
    r.end();
  });
}

/** Where the server will route the request: Next resolves dot segments first. */
function landsOnApi(path: string) {
  try {
    const pathname = new URL(path, "http://x").pathname;
    return (pathname.startsWith("/api/") || pathname.startsWith("/v1/")) && !pathname.startsWith("/api/auth/");
  } catch {
    return false;
  }
}

function problem(req: Req, res: { status: number; type: string; text: string }): string | null {
  if (res.status >= 500) return `status ${res.status}: ${res.text.slice(0, 100)}`;
  if (res.status < 400 || req.method === "HEAD" || !landsOnApi(req.path)) return null;
  let parsed: any;
  try {
    parsed = JSON.parse(res.text);
  } catch {
    return `${res.status} error body is not JSON (${res.type}): ${res.text.slice(0, 120)}`;
  }
  if (typeof parsed?.error?.code !== "string" || typeof parsed?.error?.message !== "string") return `error body not in the documented shape: ${res.text.slice(0, 160)}`;
  if (/at .*\.(ts|js):\d+|PrismaClient|node_modules|invalid input syntax|violates/.test(res.text)) return `error leaks internals: ${res.text.slice(0, 160)}`;
  return null;
}

describe("fuzzing every route", () => {
  it(`${TOTAL} generated requests: no 5xx, every error in the documented shape (seed ${SEED})`, async () => {
    const base = new URL(app.url);
    const requests = fc.sample(request, { numRuns: TOTAL, seed: SEED });
    const failures: { req: Req; problem: string }[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    let sent = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const req = requests[next++];
          let res;
          try {
            res = await send(base, req);
          } catch (err) {
            failures.push({ req, problem: `no answer: ${(err as Error).message}` });
            continue;
          }
          sent++;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const p = problem(req, res);
          if (p) failures.push({ req, problem: p });
        }
      }),
    );
    agent.destroy();
    const show = failures.slice(0, 12).map((f) => ({
      problem: f.problem,
      method: f.req.method,
      path: f.req.path.slice(0, 200),
      headers: Object.fromEntries(Object.entries(f.req.headers).map(([k, v]) => [k, v.slice(0, 80)])),
      body: f.req.body === undefined ? undefined : String(f.req.body).slice(0, 200),
    }));
    const distinct = [...new Set(failures.map((f) => `${f.req.method} ${f.req.path.split("?")[0].replace(/(lse|sec|bot|grt|usr|mnt)_[^/]*/g, "$1_…")} → ${f.problem.slice(0, 60)}`))];
    if (failures.length) {
      const file = path.join(tmpdir(), `rv-fuzz-failures-${SEED}.json`);
      writeFileSync(file, JSON.stringify({ seed: SEED, distinct, failures: failures.map((f) => ({ problem: f.problem, req: { ...f.req, body: f.req.body === undefined ? undefined : String(f.req.body).slice(0, 500) } })) }, null, 1));
      console.info(`fuzz failures written to ${file}; distinct:\n${distinct.slice(0, 60).join("\n")}`);
    }
    console.info(`fuzz: ${sent} answered, ${failures.length} failures, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect({ seed: SEED, failures: failures.length, distinct: distinct.slice(0, 30), examples: show, statuses: Object.fromEntries(statuses) }).toMatchObject({ failures: 0 });
    expect(sent).toBeGreaterThanOrEqual(10_000);
    // Nothing reached the catch-all error path.
    expect(app.logs().split("\n").filter((l) => /unhandled error/.test(l))).toEqual([]);
  }, 300_000);

  // ---- the bugs the fuzzing found, one request each, kept as regression tests ------------
  const one = (req: Req) => send(new URL(app.url), req);

  // Next answered methods a route does not export with a bare 405 and no body. Every
  // route now exports lib/api/method-not-allowed.ts's handlers for the verbs it does not serve.
  it("a method the route does not serve answers 405 in the documented shape, with Allow", async () => {
    const res = await one({ method: "PATCH", path: "/api/leases", headers: { authorization: `Bearer ${s.token}` } });
    expect(res.status).toBe(405);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: "method_not_allowed", message: expect.any(String) } });
    const head = await rawHeaders({ method: "HEAD", path: "/api/leases", headers: {} });
    expect([head.status, head.headers.allow]).toEqual([405, "POST, OPTIONS"]);
    // OPTIONS lists what is served, not the 405 handlers; HEAD comes with GET.
    const options = await rawHeaders({ method: "OPTIONS", path: "/api/v1/secrets/sec_x", headers: {} });
    expect([options.status, options.headers.allow]).toEqual([204, "GET, HEAD, PUT, DELETE, OPTIONS"]);
    const auth = await one({ method: "DELETE", path: "/api/auth/session", headers: {} });
    expect([auth.status, JSON.parse(auth.text).error.code]).toEqual([405, "method_not_allowed"]);
  });

  // A malformed percent-escape in a dynamic segment made Next's param decoding throw: a
  // plain-text 500 before any handler ran. proxy.ts refuses such paths first.
  it("a malformed percent-escape in an id answers 400, not 500", async () => {
    for (const path of ["/api/v1/secrets/%zz", "/api/v1/secrets/%", "/api/leases/%c0%ae/resolve", "/api/auth/%zz", "/v1/vault/secrets/%zz"]) {
      const res = await one({ method: "GET", path, headers: { authorization: `Bearer ${s.adminToken}` } });
      expect([path, res.status, JSON.parse(res.text).error.code]).toEqual([path, 400, "validation_failed"]);
    }
    // A well-formed escape still reaches the route ("%73" is "s").
    const ok = await one({ method: "GET", path: `/api/v1/secrets/%73ec_${"0".repeat(24)}`, headers: { authorization: `Bearer ${s.adminToken}` } });
    expect([ok.status, JSON.parse(ok.text).error.code]).toEqual([404, "not_found"]);
    // Admin pages had the same 500 (for a visitor with a session cookie).
    const page = await one({ method: "GET", path: "/bots/%zz", headers: { cookie: "next-auth.session-token=x" } });
    expect(page.status).toBe(400);
  });

  // next-auth v4 parses any POST declaring JSON with req.json() and let the SyntaxError
  // escape as a 500 (app/api/auth/[...nextauth] now checks the body first).
  it("next-auth routes answer a broken JSON body with 400", async () => {
    for (const body of ["{", ""]) {
      const res = await one({ method: "POST", path: "/api/auth/callback/credentials", headers: { "content-type": "application/json" }, body });
      expect([res.status, JSON.parse(res.text).error.code]).toEqual([400, "invalid_json"]);
    }
  });

  // next-auth answered a GET (any non-POST) on the credentials callback with a 500.
  it("GET on the credentials callback answers 405", async () => {
    const res = await one({ method: "GET", path: "/api/auth/callback/credentials", headers: {} });
    expect([res.status, JSON.parse(res.text).error.code]).toEqual([405, "method_not_allowed"]);
  });

  // With no NEXTAUTH_URL, next-auth built its URL from X-Forwarded-Host: a malformed value
  // threw "Invalid URL" (a 500 on auth routes and on routes that fall back to the session),
  // and a well-formed foreign one became the base of callback URLs.
  it("a malformed X-Forwarded-Host never causes a 500", async () => {
    const auth = await one({ method: "GET", path: "/api/auth/session", headers: { "x-forwarded-host": "a_}<" } });
    const exportRes = await one({ method: "GET", path: "/api/v1/audit/export", headers: { "x-forwarded-host": "a_}<" } });
    expect([auth.status, exportRes.status]).toEqual([200, 401]);
    const badHost = await one({ method: "GET", path: "/api/auth/csrf", headers: { host: "a_}<" } });
    expect([badHost.status, JSON.parse(badHost.text).error.code]).toEqual([400, "validation_failed"]);
  });

  it("a forged X-Forwarded-Host is not trusted for callback URLs", async () => {
    const res = await rawHeaders({ method: "GET", path: "/api/auth/csrf", headers: { "x-forwarded-host": "evil.example" } });
    const callback = [res.headers["set-cookie"] ?? []].flat().find((c) => c.startsWith("next-auth.callback-url="));
    expect(decodeURIComponent(callback ?? "")).toContain(`=${app.url};`);
    expect(callback).not.toContain("evil");
  });

  // next-auth ran new URL() on any callbackUrl that is not a path, from the query, the
  // body or its own callback-url cookie: a 500, for the cookie on every later request too.
  it("an unparsable callbackUrl (query, body or cookie) is not a 500", async () => {
    const query = await one({ method: "GET", path: "/api/auth/session?callbackUrl=foo", headers: {} });
    expect([query.status, JSON.parse(query.text).error.code]).toEqual([400, "validation_failed"]);
    const body = await one({ method: "POST", path: "/api/auth/signout", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "callbackUrl=foo" });
    expect(body.status).toBeLessThan(500);
    const cookie = await rawHeaders({ method: "GET", path: "/api/auth/csrf", headers: { cookie: "next-auth.callback-url=garbage" } });
    expect(cookie.status).toBe(200);
    // The stale cookie is replaced, so sign-in works again afterwards.
    expect([cookie.headers["set-cookie"] ?? []].flat().some((c) => c.startsWith("next-auth.callback-url=http"))).toBe(true);
    const session = await one({ method: "GET", path: "/api/v1/audit/export", headers: { cookie: "next-auth.callback-url=garbage" } });
    expect(session.status).toBe(401);
  });
});
