// Security review, issue 10, over HTTP against the built app: each block replays the
// attack from the review and shows it no longer works.
//   3  open redirect through /sign-in?callbackUrl=/\evil.example and /%09/evil.example
//   5  sign-in without limits; password hashing starving the bot API
//   7  a copied session cookie outliving sign-out; /api/auth/session extending it forever
//   16 invite links built from request headers
import http from "node:http";
import { randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { sealAudit, seedOrg, seedScenario, unique } from "../test/fixtures";
import { startServer, type TestServer } from "../test/server";
import { transaction } from "../lib/db/prisma";
import { createUser } from "../lib/users/create-user";
import { SYSTEM_ACTOR } from "../lib/audit/record-audit-event";

let db: TestDatabase;
let server: TestServer;

const IP_LIMIT = 10;

beforeAll(async () => {
  db = await createTestDatabase();
  // Loopback is a trusted proxy here, so each test picks its client address with
  // X-Forwarded-For and has its own per-address budget.
  server = await startServer({ databaseUrl: db.url, env: { RV_TRUSTED_PROXIES: "loopback", RV_SIGNIN_IP_PER_MIN: String(IP_LIMIT) } });
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

const randomIp = () => `10.${[1, 2, 3].map(() => randomBytes(1)[0]).join(".")}`;

function cookiesOf(res: Response, jar: Map<string, string> = new Map()) {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const i = pair.indexOf("=");
    const value = pair.slice(i + 1);
    if (value && !/expires=Thu, 01 Jan 1970/i.test(c)) jar.set(pair.slice(0, i), value);
    else jar.delete(pair.slice(0, i));
  }
  return jar;
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

interface SignInResult {
  status: number;
  error: string | null;
  url: string;
  jar: Map<string, string>;
}

/** The credentials flow as next-auth's client runs it (csrf, then the callback with json=true). */
async function signIn(email: string, password: string, { ip = randomIp(), callbackUrl = `${server.url}/overview` } = {}): Promise<SignInResult> {
  const csrf = await fetch(`${server.url}/api/auth/csrf`, { headers: { "x-forwarded-for": ip } });
  const jar = cookiesOf(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar), "x-forwarded-for": ip },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl, json: "true" }),
  });
  cookiesOf(res, jar);
  const { url } = (await res.json()) as { url: string };
  return { status: res.status, error: new URL(url).searchParams.get("error"), url, jar };
}

const hasSession = (jar: Map<string, string>) => [...jar.keys()].some((k) => k.endsWith("next-auth.session-token"));

async function auditTypes(orgId: string, type: string) {
  await sealAudit(db.prisma);
  return db.prisma.auditEvent.findMany({ where: { orgId, type }, orderBy: { seq: "asc" } });
}

describe("3: the sign-in page sends browsers to same-origin paths only", () => {
  it("a signed-in visit to /sign-in with a callbackUrl that browsers read as another host stays on the vault", async () => {
    const org = await seedOrg(db.prisma);
    const { jar } = await signIn(org.user.email, "correct horse battery");
    expect(hasSession(jar)).toBe(true);
    for (const callback of ["/%5Cevil.example", "/%09/evil.example", "/%5C%5Cevil.example", "/.//evil.example", "/%0A/evil.example", "//evil.example"]) {
      const res = await fetch(`${server.url}/sign-in?callbackUrl=${callback}`, { headers: { cookie: cookieHeader(jar) }, redirect: "manual" });
      await res.text();
      expect(res.status, callback).toBeGreaterThanOrEqual(300);
      expect(res.status, callback).toBeLessThan(400);
      const location = res.headers.get("location")!;
      // What a browser does with the Location header: resolve it against the page's URL.
      expect(new URL(location, `${server.url}/sign-in`).origin, `${callback} → ${location}`).toBe(server.url);
      expect(location, callback).toMatch(/^\/overview$|^http:\/\/127\.0\.0\.1:\d+\/overview$/);
    }
    // A real path is still honoured.
    const ok = await fetch(`${server.url}/sign-in?callbackUrl=%2Fbots%3Fx%3D1`, { headers: { cookie: cookieHeader(jar) }, redirect: "manual" });
    expect(new URL(ok.headers.get("location")!, server.url).pathname + new URL(ok.headers.get("location")!, server.url).search).toBe("/bots?x=1");
  });

  it("next-auth's own redirect after sign-in is normalised the same way", async () => {
    const org = await seedOrg(db.prisma);
    for (const callbackUrl of [`${server.url}/\\evil.example`, "/\\evil.example", "/\t/evil.example", "https://evil.example/"]) {
      const { url, error } = await signIn(org.user.email, "correct horse battery", { callbackUrl });
      expect(error).toBeNull();
      expect(new URL(url).origin, `${callbackUrl} → ${url}`).toBe(server.url);
      expect(new URL(url).pathname.startsWith("//"), url).toBe(false);
    }
  });
});

describe("5: sign-in limits", () => {
  it("40 wrong passwords from 40 addresses, then the right one: refused, and the block is audited once", async () => {
    const org = await seedOrg(db.prisma);
    const results = [];
    for (let i = 0; i < 40; i++) results.push(await signIn(org.user.email, `wrong guess ${i}`));
    expect(results.every((r) => r.error !== null && !hasSession(r.jar))).toBe(true);
    const throttled = results.filter((r) => r.error === "TooManyAttempts").length;
    expect(throttled).toBeGreaterThanOrEqual(34);
    const right = await signIn(org.user.email, "correct horse battery");
    expect(right.error).toBe("TooManyAttempts");
    expect(hasSession(right.jar)).toBe(false);
    // Only the free attempts reached the password check; the refusals are one event.
    expect((await auditTypes(org.orgId, "member.sign_in_failed")).length).toBeLessThanOrEqual(6);
    const blocks = await auditTypes(org.orgId, "member.sign_in_throttled");
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ outcome: "denied" });
    expect(blocks[0].data).toMatchObject({ limit: "account" });
    expect(await auditTypes(org.orgId, "member.signed_in")).toHaveLength(0);
  }, 120_000);

  it("parallel guesses cannot slip past the account limit before the failures are counted", async () => {
    const org = await seedOrg(db.prisma);
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => signIn(org.user.email, `parallel guess ${i}`)));
    expect(results.filter((r) => r.error === "CredentialsSignin").length).toBeLessThanOrEqual(5);
    expect(results.filter((r) => r.error === "TooManyAttempts").length).toBeGreaterThanOrEqual(11);
  }, 60_000);

  it("an unknown email is limited exactly like a member's, so the answers tell nothing", async () => {
    const org = await seedOrg(db.prisma);
    const ghost = `${unique("ghost-")}@example.test`;
    const member: (string | null)[] = [];
    const unknown: (string | null)[] = [];
    for (let i = 0; i < 7; i++) {
      member.push((await signIn(org.user.email, `wrong ${i}`)).error);
      unknown.push((await signIn(ghost, `wrong ${i}`)).error);
    }
    expect(unknown).toEqual(member);
    expect(member.slice(0, 5)).toEqual(Array(5).fill("CredentialsSignin"));
    expect(member.slice(5)).toEqual(["TooManyAttempts", "TooManyAttempts"]);
  }, 60_000);

  it("one address gets IP_LIMIT attempts a minute, whichever accounts it tries; the refusal is audited once", async () => {
    const org = await seedOrg(db.prisma);
    const ip = randomIp();
    // Align with the start of a window so all attempts fall into one.
    const intoWindow = Date.now() % 60_000;
    if (intoWindow > 45_000) await new Promise((r) => setTimeout(r, 60_000 - intoWindow + 200));
    for (let i = 0; i < IP_LIMIT; i++) expect((await signIn(`${unique("spray-")}@example.test`, "spray password", { ip })).error).toBe("CredentialsSignin");
    const refused = [];
    for (let i = 0; i < 3; i++) refused.push(await signIn(org.user.email, "correct horse battery", { ip }));
    expect(refused.map((r) => r.error)).toEqual(["TooManyAttempts", "TooManyAttempts", "TooManyAttempts"]);
    const events = await auditTypes(org.orgId, "member.sign_in_throttled");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ ip });
    expect(events[0].data).toMatchObject({ limit: "ip" });
    // Another address still signs the member in.
    expect(hasSession((await signIn(org.user.email, "correct horse battery")).jar)).toBe(true);
  }, 120_000);

  it("a bcrypt hash from before still signs in, and is replaced by argon2id", async () => {
    const org = await seedOrg(db.prisma);
    await db.prisma.user.update({ where: { id: org.user.id }, data: { passwordHash: await bcrypt.hash("an old password 1", 10) } });
    expect((await signIn(org.user.email, "an old password 2")).error).toBe("CredentialsSignin");
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: org.user.id } })).passwordHash).toMatch(/^\$2[aby]\$/);
    const ok = await signIn(org.user.email, "an old password 1");
    expect(hasSession(ok.jar)).toBe(true);
    const { passwordHash } = await db.prisma.user.findUniqueOrThrow({ where: { id: org.user.id } });
    expect(passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(hasSession((await signIn(org.user.email, "an old password 1")).jar)).toBe(true);
  }, 60_000);

  it("16 parallel sign-in loops leave the bot API and /api/health responsive", async () => {
    const s = await seedScenario(db.prisma);
    let stop = false;
    // Every attempt from a new address and email: no limit applies, every one hashes.
    const loops = Array.from({ length: 16 }, async () => {
      while (!stop) await signIn(`${unique("load-")}@example.test`, "a wrong password");
    });
    await new Promise((r) => setTimeout(r, 1_000));
    const health: number[] = [];
    const leases: number[] = [];
    for (let i = 0; i < 8; i++) {
      let t = performance.now();
      expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
      health.push(performance.now() - t);
      t = performance.now();
      const lease = await fetch(`${server.url}/api/leases`, {
        method: "POST",
        headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" },
        body: JSON.stringify({ secret: s.secret.name, justification: "Reconcile unpaid invoices before month-end close" }),
      });
      expect(lease.status).toBe(201);
      leases.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 150));
    }
    stop = true;
    await Promise.all(loops);
    // The review measured 4.6–6.2 s for /api/health and 6.1 s for a lease under this load,
    // with hashing on the event loop. The bounds leave room for a busy shared machine.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const shown = `health ${health.map(Math.round).join(", ")} ms; leases ${leases.map(Math.round).join(", ")} ms`;
    expect(median(health), shown).toBeLessThan(1_000);
    expect(median(leases), shown).toBeLessThan(1_000);
    expect(Math.max(...health, ...leases), shown).toBeLessThan(3_000);
  }, 120_000);
});

describe("7: sessions end on the server", () => {
  it("after sign-out, a copied cookie is no session anywhere, and the sign-out is audited", async () => {
    const org = await seedOrg(db.prisma);
    const { jar } = await signIn(org.user.email, "correct horse battery");
    const copied = cookieHeader(jar);
    const before = await fetch(`${server.url}/api/auth/session`, { headers: { cookie: copied } });
    expect(((await before.json()) as { user?: { email?: string } }).user?.email).toBe(org.user.email);
    expect((await fetch(`${server.url}/api/v1/audit/export?format=json`, { headers: { cookie: copied } })).status).toBe(200);

    // Sign out the way the browser does: POST with the CSRF token.
    const csrf = await fetch(`${server.url}/api/auth/csrf`, { headers: { cookie: copied } });
    cookiesOf(csrf, jar);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const out = await fetch(`${server.url}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
      body: new URLSearchParams({ csrfToken, callbackUrl: "/sign-in", json: "true" }),
    });
    expect(out.status).toBe(200);

    // The copy still holds the old session token.
    const session = await fetch(`${server.url}/api/auth/session`, { headers: { cookie: copied } });
    expect(await session.json()).toEqual({});
    // Not extended: the answer clears the cookie instead of renewing it.
    expect(session.headers.getSetCookie().some((c) => /session-token=;/.test(c) || /session-token=[^;]*;.*Expires=Thu, 01 Jan 1970/i.test(c))).toBe(true);
    expect((await fetch(`${server.url}/api/v1/audit/export?format=json`, { headers: { cookie: copied } })).status).toBe(401);
    const page = await fetch(`${server.url}/bots`, { headers: { cookie: copied }, redirect: "manual" });
    await page.text();
    expect(page.status).toBe(307);
    expect(page.headers.get("location")).toMatch(/\/sign-in/);
    expect(await auditTypes(org.orgId, "member.signed_out")).toHaveLength(1);
  }, 60_000);

  it("a session ends at its absolute lifetime however often /api/auth/session renews the cookie", async () => {
    const org = await seedOrg(db.prisma);
    const { jar } = await signIn(org.user.email, "correct horse battery");
    const renewed = await fetch(`${server.url}/api/auth/session`, { headers: { cookie: cookieHeader(jar) } });
    expect(((await renewed.json()) as { user?: { email?: string } }).user?.email).toBe(org.user.email);
    cookiesOf(renewed, jar);
    const row = await db.prisma.userSession.findFirstOrThrow({ where: { userId: org.user.id } });
    // Renewing the cookie does not move the session's end.
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(12 * 3600 * 1000);
    await db.prisma.userSession.update({ where: { id: row.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const after = await fetch(`${server.url}/api/auth/session`, { headers: { cookie: cookieHeader(jar) } });
    expect(await after.json()).toEqual({});
    expect((await fetch(`${server.url}/api/v1/audit/export?format=json`, { headers: { cookie: cookieHeader(jar) } })).status).toBe(401);
  }, 60_000);

  it("a removed member's sessions end with the account", async () => {
    const org = await seedOrg(db.prisma);
    const email = `${unique("m-")}@example.test`;
    const member = await transaction(db.prisma, (tx) => createUser(tx, { orgId: org.orgId, email, password: "member password 123", role: "viewer", actor: SYSTEM_ACTOR }));
    const { jar } = await signIn(email, "member password 123");
    expect((await fetch(`${server.url}/api/v1/audit/export`, { headers: { cookie: cookieHeader(jar) } })).status).toBe(403);
    const del = await fetch(`${server.url}/api/v1/members/${member.id}`, { method: "DELETE", headers: { authorization: `Bearer ${org.adminToken}` } });
    expect(del.status).toBe(204);
    expect(await (await fetch(`${server.url}/api/auth/session`, { headers: { cookie: cookieHeader(jar) } })).json()).toEqual({});
  }, 60_000);
});

/** A raw request, so Host and the forwarded headers are exactly what an attacker sends. */
function rawPost(base: string, path: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; body: any }> {
  const url = new URL(path, base);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(payload) } }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

describe("16: invite links come from configuration, not from the request", () => {
  const forged = { host: "evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" };

  it("without NEXTAUTH_URL: the origin the server listens on, whatever Host and X-Forwarded-* say", async () => {
    const org = await seedOrg(db.prisma);
    const res = await rawPost(server.url, "/api/v1/members", { ...forged, authorization: `Bearer ${org.adminToken}` }, { email: `${unique("inv-")}@example.test`, role: "viewer" });
    expect(res.status).toBe(201);
    expect(res.body.setPasswordUrl).toMatch(new RegExp(`^${server.url}/set-password\\?token=[A-Za-z0-9_-]{43}$`));
  });

  it("with NEXTAUTH_URL: its origin", async () => {
    const configured = await startServer({ databaseUrl: db.url, env: { NEXTAUTH_URL: "https://vault.example.com" } });
    try {
      const org = await seedOrg(db.prisma);
      const res = await rawPost(configured.url, "/api/v1/members", { ...forged, authorization: `Bearer ${org.adminToken}` }, { email: `${unique("inv-")}@example.test`, role: "viewer" });
      expect(res.status).toBe(201);
      expect(res.body.setPasswordUrl).toMatch(/^https:\/\/vault\.example\.com\/set-password\?token=[A-Za-z0-9_-]{43}$/);
    } finally {
      await configured.stop();
    }
  }, 90_000);
});
