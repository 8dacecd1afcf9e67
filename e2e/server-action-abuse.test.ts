// Server actions are POSTs to a page with a Next-Action header; Next decodes the body
// before any of our code runs. Bodies no form of ours sends, a garbage session cookie,
// a foreign Origin or an oversized body were 500s with a stack in the log (security
// review, issue 10, finding 17). Each now gets a 4xx and at most one log line.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedOrg, unique } from "../test/fixtures";
import { startServer } from "../test/server";

let db: TestDatabase;
let server: Awaited<ReturnType<typeof startServer>>;
let org: Awaited<ReturnType<typeof seedOrg>>;
let session = "";
const actions: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestDatabase();
  org = await seedOrg(db.prisma);
  server = await startServer({ databaseUrl: db.url, env: { RV_MASTER_KEY: process.env.RV_MASTER_KEY } });
  // Action ids are public (they are in the pages' scripts); the build lists them by name.
  const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", ".next", "server", "server-reference-manifest.json"), "utf8"));
  for (const [id, entry] of Object.entries<{ exportedName: string }>(manifest.node)) actions[entry.exportedName] = id;
  session = await signIn();
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

async function signIn(): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      jar.set(pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const csrf = await fetch(`${server.url}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  keep(
    await fetch(`${server.url}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
      body: new URLSearchParams({ csrfToken, email: org.user.email, password: "correct horse battery", json: "true" }),
    }),
  );
  const token = [...jar].find(([k]) => k.endsWith("next-auth.session-token"));
  expect(token, "signed in").toBeDefined();
  return `${token![0]}=${token![1]}`;
}

interface Multipart {
  body: string;
  type: string;
}

interface ActionRequest {
  page: string;
  action: string;
  body: string | Multipart;
  cookie?: string;
  headers?: Record<string, string>;
}

async function post({ page, action, body, cookie, headers = {} }: ActionRequest) {
  const res = await fetch(server.url + page, {
    method: "POST",
    redirect: "manual",
    headers: { "next-action": actions[action], origin: server.url, ...(cookie ? { cookie } : {}), "content-type": typeof body === "string" ? "text/plain;charset=UTF-8" : body.type, ...headers },
    body: typeof body === "string" ? body : body.body,
  });
  return { status: res.status, text: await res.text() };
}

/** Lines the server logged while `fn` ran. */
async function logged(fn: () => Promise<unknown>): Promise<string[]> {
  const before = server.logs().length;
  await fn();
  await new Promise((r) => setTimeout(r, 200));
  return server.logs().slice(before).split("\n").filter((l) => l.trim() !== "");
}

/** A multipart body as browsers send it (built by hand: fetch may not serialise the test runner's FormData). */
function multipart(fields: Record<string, string>): Multipart {
  // React reads row 0 when it arrives: the form's fields go first (as browsers send them),
  // and Object.entries would put the integer key "0" first.
  const boundary = `----rv${unique()}`;
  const parts = [...Object.entries(fields).filter(([k]) => k !== "0"), ...(fields["0"] === undefined ? [] : [["0", fields["0"]]])].map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  return { body: parts.join("") + `--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` };
}

const GARBAGE_COOKIE = "next-auth.session-token=garbage";
const BAD_BODIES: [string, () => string | Multipart][] = [
  ["a FormData argument that is a plain object", () => '[{},{"get":1}]'],
  ["a body that is not JSON", () => "0=[{,,"],
  ["a multipart row that is not JSON", () => multipart({ "0": "[{,," })],
  ["a reference to a row that is not there", () => '[{},"$Q1"]'],
  ["a bigint that is not a number", () => '[{},"$nope"]'],
  ["a multipart body without its root row", () => multipart({ "_1_token": "x" })],
];

describe("server actions refuse what no form sends", () => {
  it("a legitimate action request still works (the checks read the body without eating it)", async () => {
    const name = `act-${unique()}`;
    const res = await post({ page: "/bots", action: "createBotAction", cookie: session, body: multipart({ "_1_name": name, "_1_description": "made by a form", "0": '[{},"$K1"]' }) });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(await db.prisma.bot.count({ where: { orgId: org.orgId, name } })).toBe(1);
    const seq = await post({ page: "/audit", action: "latestAuditSeq", cookie: session, body: "[]" });
    expect(seq.status).toBe(200);
  });

  for (const [what, body] of BAD_BODIES) {
    it(`${what}: 4xx for everyone, one log line at most`, async () => {
      for (const [page, action, cookie] of [
        ["/catalogue", "createSecretAction", undefined],
        ["/catalogue", "createSecretAction", GARBAGE_COOKIE],
        ["/catalogue", "createSecretAction", session],
        ["/set-password", "setPasswordAction", undefined],
      ] as const) {
        let res: { status: number; text: string } | undefined;
        const lines = await logged(async () => (res = await post({ page, action, cookie, body: body() })));
        const label = `${page} ${cookie === session ? "signed in" : (cookie ?? "no cookie")}: ${res!.status} ${res!.text.slice(0, 200)} / log: ${lines.join("\n")}`;
        expect(res!.status, label).toBeGreaterThanOrEqual(400);
        expect(res!.status, label).toBeLessThan(500);
        expect(lines.length, label).toBeLessThanOrEqual(1);
      }
    });
  }

  it("a body over the 1 MB limit answers 413", async () => {
    const big = multipart({ "_1_name": "x", "_1_description": "d".repeat(1024 * 1024 + 10), "0": '[{},"$K1"]' });
    for (const cookie of [undefined, session]) {
      let status = 0;
      const lines = await logged(async () => (status = (await post({ page: "/bots", action: "createBotAction", cookie, body: big })).status));
      expect([status, lines.length <= 1], lines.join("\n")).toEqual([413, true]);
    }
  });

  // Next answered an unknown id with a stack in the log, and another page's action with a
  // 200 and an uncaught exception.
  it("an action id the page does not have: 404, no log line", async () => {
    for (const [page, cookie] of [["/set-password", undefined], ["/sign-in", undefined], ["/catalogue", session]] as const) {
      for (const id of [actions.createBotAction, "00".repeat(21), "not-an-id"]) {
        if (page === "/catalogue" && id === actions.createBotAction) continue; // a real action: signed in, Next's own answer
        for (const body of ["[]", multipart({ "0": "[]" })]) {
          let res: { status: number; text: string } | undefined;
          const lines = await logged(async () => (res = await post({ page, action: "setPasswordAction", cookie, body, headers: { "next-action": id } })));
          expect([page, id, res!.status, lines], res!.text).toEqual([page, id, 404, []]);
        }
      }
    }
  });

  it("a foreign or malformed Origin is refused with 403, not a 500", async () => {
    for (const origin of ["https://evil.example", "null", "::not a url"]) {
      const res = await post({ page: "/bots", action: "createBotAction", cookie: session, body: multipart({ "_1_name": "x", "0": '[{},"$K1"]' }), headers: { origin } });
      expect([origin, res.status]).toEqual([origin, 403]);
    }
  });

  it("a garbage session cookie is one log line at most, and the page answers as signed out", async () => {
    let status = 0;
    const lines = await logged(async () => (status = (await fetch(`${server.url}/overview`, { headers: { cookie: GARBAGE_COOKIE }, redirect: "manual" })).status));
    expect(status).toBeLessThan(500);
    expect(lines.length, lines.join("\n")).toBeLessThanOrEqual(1);
    const api = await logged(() => fetch(`${server.url}/api/v1/audit/export`, { headers: { cookie: GARBAGE_COOKIE } }));
    expect(api.length, api.join("\n")).toBeLessThanOrEqual(1);
  });

  it("nothing above logged a stack", () => {
    expect(server.logs()).not.toMatch(/\bat .+\.js:\d+:\d+/);
  });
});
