// Canary values: secrets with known, unique plaintexts go through everything the
// vault does over HTTP (create, rotate, refused creates, leases, resolves, release,
// revoke, freeze, delete, listings, audit list/verify/export/stream, admin pages, CLI).
// Afterwards the plaintexts appear nowhere but in resolve responses: not in a
// pg_dump of the database, the server's logs, the audit events, any other HTTP
// response, the admin pages' HTML or the CLI's output. Each place is also checked
// to contain something it should (the secret's name), so an empty capture cannot pass.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedOrg } from "../test/fixtures";
import { client } from "./http";
import { PG_BIN, startApp, type App } from "./fault-harness";

const ROOT = path.resolve(__dirname, "..");
const CLI = path.join(ROOT, "bin", "runtime-vault.js");
const canary = (label: string) => `cnry-${label}-${randomBytes(12).toString("hex")}`;
const C = {
  a1: canary("a1"), // CANARY_A v1
  a2: canary("a2"), // CANARY_A v2 (rotated)
  b: canary("b"), // CANARY_B, multi-use leases
  d: canary("d"), // CANARY_D, deleted while leased
  refused: canary("refused"), // in a create refused by validation: never stored
  conflict: canary("conflict"), // in a create refused as a duplicate: never stored
};
/** Every form a leak could take in a dump or a log. */
const forms = (v: string) => [v, Buffer.from(v).toString("hex"), Buffer.from(v).toString("base64")];
const justification = "Canary suite: exercise every path that touches a value";

let db: TestDatabase;
let app: App;
let org: Awaited<ReturnType<typeof seedOrg>>;
const transcript: string[] = [];
const resolves: string[] = [];
const pages: string[] = [];
const cliOutput: string[] = [];
let call: ReturnType<typeof client>;

beforeAll(async () => {
  db = await createTestDatabase();
  org = await seedOrg(db.prisma);
  app = await startApp(db.url);
  call = client(app.url, transcript);
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

/** Resolve responses are the one place a value may appear: keep them apart. */
async function resolve(id: string, token: string) {
  const res = await call("POST", `/api/leases/${id}/resolve`, { token });
  resolves.push(transcript.pop()!);
  return res;
}

async function lease(botToken: string, secret: string, extra: Record<string, unknown> = {}) {
  const res = await call("POST", "/api/leases", { token: botToken, body: { secret, scope: "production", justification, ...extra } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; leaseToken: string };
}

function cli(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((done) => {
    const home = mkdtempSync(path.join(tmpdir(), "rv-canary-cli-"));
    const child = spawn(process.execPath, [CLI, ...args], { cwd: home, env: { PATH: process.env.PATH ?? "", HOME: home, RV_URL: app.url, ...env } as unknown as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      cliOutput.push(`$ runtime-vault ${args.join(" ")} → ${code}\n${out}`);
      done(out);
    });
  });
}

describe("canary values", () => {
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};

  it("go through every value path over HTTP", async () => {
    const admin = org.adminToken;
    for (const [name, value] of [["CANARY_A", C.a1], ["CANARY_B", C.b], ["CANARY_D", C.d]] as const) {
      const res = await call("POST", "/api/v1/secrets", { token: admin, body: { name, scope: "production", description: "canary", tags: ["canary"], value } });
      expect(res.status, res.text).toBe(201);
      ids[name] = res.body.id;
    }
    // Refused writes carrying values: validation and conflict must not echo them.
    expect((await call("POST", "/api/v1/secrets", { token: admin, body: { name: "not a valid name", scope: "production", value: C.refused } })).status).toBe(400);
    expect((await call("POST", "/api/v1/secrets", { token: admin, body: { name: "CANARY_A", scope: "production", value: C.conflict } })).status).toBe(409);
    expect((await call("POST", "/api/v1/secrets", { token: admin, body: { name: "CANARY_X", scope: "production", value: C.refused, extra: C.refused } })).status).toBe(400);
    expect((await call("PUT", `/api/v1/secrets/${ids.CANARY_A}`, { token: admin, body: { value: C.a2 } })).status).toBe(200);

    for (const name of ["canary-one", "canary-two"]) {
      const res = await call("POST", "/api/v1/bots", { token: admin, body: { name } });
      expect(res.status, res.text).toBe(201);
      ids[name] = res.body.id;
      tokens[name] = res.body.token;
    }
    for (const [bot, secret] of [["canary-one", "CANARY_A"], ["canary-one", "CANARY_B"], ["canary-two", "CANARY_D"]]) {
      expect((await call("POST", "/api/v1/grants", { token: admin, body: { botId: ids[bot], secretId: ids[secret] } })).status).toBe(201);
    }
    expect((await call("PUT", "/api/v1/policy", { token: admin, body: { maxTtlSeconds: 1800 } })).status).toBe(200);
    const one = tokens["canary-one"];

    // Single use: once, then 410.
    const a = await lease(one, "CANARY_A", { singleUse: true });
    expect((await resolve(a.id, a.leaseToken)).body.value).toBe(C.a2);
    expect((await resolve(a.id, a.leaseToken)).status).toBe(410);
    // Multi use, status, release.
    const b = await lease(one, "CANARY_B", { singleUse: false });
    expect((await resolve(b.id, b.leaseToken)).body.value).toBe(C.b);
    expect((await resolve(b.id, b.leaseToken)).body.value).toBe(C.b);
    expect((await call("GET", `/api/leases/${b.id}`, { token: one })).status).toBe(200);
    expect((await call("DELETE", `/api/leases/${b.id}`, { token: one })).status).toBe(204);
    expect((await resolve(b.id, b.leaseToken)).status).toBe(410);
    // Wrong token against a live lease.
    const b2 = await lease(one, "CANARY_B");
    expect((await resolve(b2.id, "rvl_" + "x".repeat(43))).status).toBe(401);
    // Revoked one by one, then in bulk.
    expect((await call("POST", `/api/v1/leases/${b2.id}/revoke`, { token: admin, body: { reason: "canary revoke" } })).status).toBe(200);
    expect((await resolve(b2.id, b2.leaseToken)).status).toBe(410);
    const a3 = await lease(one, "CANARY_A");
    expect((await call("POST", "/api/v1/leases/revoke", { token: admin, body: { botId: ids["canary-one"], reason: "canary incident" } })).status).toBe(200);
    expect((await resolve(a3.id, a3.leaseToken)).status).toBe(410);
    // Frozen, unfrozen, token rotated.
    expect((await call("POST", `/api/v1/bots/${ids["canary-one"]}/freeze`, { token: admin, body: { reason: "canary" } })).status).toBe(200);
    expect((await call("POST", "/api/leases", { token: one, body: { secret: "CANARY_A", scope: "production", justification } })).status).toBe(403);
    expect((await call("POST", `/api/v1/bots/${ids["canary-one"]}/unfreeze`, { token: admin })).status).toBe(200);
    // A secret deleted while leased.
    const two = tokens["canary-two"];
    const d = await lease(two, "CANARY_D");
    expect((await resolve(d.id, d.leaseToken)).body.value).toBe(C.d);
    expect((await call("DELETE", `/api/v1/secrets/${ids.CANARY_D}`, { token: admin })).status).toBeLessThan(300);
    expect((await resolve(d.id, d.leaseToken)).status).toBe(410);
    const rotated = await call("POST", `/api/v1/bots/${ids["canary-two"]}/rotate-token`, { token: admin });
    expect(rotated.status, rotated.text).toBeLessThan(300);

    // Every read an admin has.
    for (const p of ["/api/v1/secrets", `/api/v1/secrets/${ids.CANARY_A}`, "/api/v1/bots", "/api/v1/grants", "/api/v1/policy", "/api/v1/leases", "/api/v1/leases?status=revoked",
      "/api/v1/audit?limit=500", "/api/v1/audit/verify", "/api/v1/audit/export?format=csv", "/api/v1/audit/export?format=json", "/api/v1/approvals", "/api/v1/members", "/api/v1/mounts"]) {
      const res = await call("GET", p, { token: admin });
      expect(res.status, `${p}: ${res.text.slice(0, 200)}`).toBe(200);
    }
    expect((await call("GET", "/api/v1/audit/verify", { token: admin })).body).toMatchObject({ ok: true });
    // The live stream replays the trail from the start.
    const ctrl = new AbortController();
    const res = await fetch(`${app.url}/api/v1/events?after=0`, { headers: { authorization: `Bearer ${admin}` }, signal: ctrl.signal });
    let text = "";
    const reader = res.body!.getReader();
    const until = Date.now() + 2_000;
    while (Date.now() < until && !text.includes("lease.resolved")) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), 500))]);
      if (chunk && !chunk.done) text += new TextDecoder().decode(chunk.value);
    }
    ctrl.abort();
    transcript.push(`GET /api/v1/events -> ${res.status} ${text}`);
    expect(text).toContain("lease.resolved");
  }, 60_000);

  it("the admin pages, signed in", async () => {
    const jar = new Map<string, string>();
    const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const keep = (res: Response) => {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(";");
        const i = pair.indexOf("=");
        jar.set(pair.slice(0, i), pair.slice(i + 1));
      }
    };
    const csrf = await fetch(`${app.url}/api/auth/csrf`);
    keep(csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const login = await fetch(`${app.url}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader() },
      body: new URLSearchParams({ csrfToken, email: org.user.email, password: "correct horse battery", callbackUrl: `${app.url}/overview`, json: "true" }),
    });
    keep(login);
    expect([...jar.keys()].some((k) => k.includes("session-token")), `login ${login.status}`).toBe(true);
    for (const p of ["/overview", "/catalogue", `/catalogue/${ids.CANARY_A}`, "/bots", `/bots/${ids["canary-one"]}`, "/leases", "/audit", "/policy", "/members", "/approvals", "/mounts"]) {
      const res = await fetch(app.url + p, { headers: { cookie: cookieHeader() }, redirect: "manual" });
      const html = await res.text();
      expect(res.status, `${p} → ${res.status}`).toBe(200);
      pages.push(`${p}\n${html}`);
    }
    expect(pages.join("\n")).toContain("CANARY_A");
  }, 60_000);

  it.runIf(existsSync(CLI))("the CLI", async () => {
    const admin = { RV_TOKEN: org.adminToken };
    await cli(["secret", "list", "--json"], admin);
    await cli(["bot", "list"], admin);
    await cli(["lease", "list", "--json"], admin);
    await cli(["grant", "list"], admin);
    await cli(["audit", "export", "--format", "csv"], admin);
    await cli(["audit", "verify"], admin);
    // exec resolves the value into the child's environment; what it prints is masked.
    const script = "console.log('the value is', process.env.CANARY_B)";
    const exec = await cli(["exec", "--secret", "CANARY_B@production", "-j", justification, "--", process.execPath, "-e", script], { RV_BOT_TOKEN: tokens["canary-one"] });
    expect(exec).toContain("the value is");
    expect(cliOutput.join("\n")).toContain("CANARY_A");
  }, 90_000);

  it("the plaintexts appear in resolve responses and nowhere else", async () => {
    const leaks = (where: string, text: string) =>
      Object.entries(C).flatMap(([label, value]) => forms(value).filter((f) => text.includes(f)).map((f) => `${where}: ${label}${f === value ? "" : " (encoded)"}`));

    // Positive control: the values were really served.
    const served = resolves.join("\n");
    for (const v of [C.a2, C.b, C.d]) expect(served).toContain(v);

    // Database: a full dump, as the superuser.
    const dump = spawnSync(path.join(PG_BIN, "pg_dump"), ["--data-only", "--inserts", db.url], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    expect(dump.status, dump.stderr).toBe(0);
    expect(dump.stdout).toContain("CANARY_A");

    // Audit events, every column, sealed or not yet.
    const pgc = new pg.Client({ connectionString: db.url });
    await pgc.connect();
    const events = (
      await pgc.query(
        `SELECT row_to_json(e)::text AS j FROM "AuditEvent" e WHERE "orgId" = $1 UNION ALL SELECT row_to_json(p)::text FROM "AuditPending" p WHERE "orgId" = $1`,
        [org.orgId],
      )
    ).rows
      .map((r) => r.j)
      .join("\n");
    await pgc.end();
    expect(events).toContain("lease.resolved");

    const logs = app.logs();
    const found = [
      ...leaks("pg_dump", dump.stdout),
      ...leaks("audit events", events),
      ...leaks("server logs", logs),
      ...leaks("HTTP responses other than resolve", transcript.join("\n")),
      ...leaks("admin pages", pages.join("\n")),
      ...leaks("CLI output", cliOutput.join("\n")),
    ];
    expect(found).toEqual([]);
    // The refused values never reached the database in any form.
    expect(dump.stdout).not.toContain(C.refused);
    expect(dump.stdout).not.toContain(C.conflict);
  }, 60_000);
});
