// Text the database would store differently from what was sent (a lone surrogate becomes
// U+FFFD on the way in, NUL is refused) must never reach a hash or a value: such text is
// a 400 in every audited field, everything else is stored exactly, and the audit chain
// verifies after every request. Found by the security review (issue 10, finding 1): one
// refused lease request with "\udfff" in its justification broke verification for good.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { sealAudit, seedBot, seedMember, seedScenario, seedSecret, unique } from "../test/fixtures";
import { startServer } from "../test/server";
import { client, type HttpResult } from "./http";

let db: TestDatabase;
let server: Awaited<ReturnType<typeof startServer>>;
let call: ReturnType<typeof client>;
let s: Awaited<ReturnType<typeof seedScenario>>;
let grantless: Awaited<ReturnType<typeof seedBot>>;
let frozenBot: Awaited<ReturnType<typeof seedBot>>;
let approvalSecret: Awaited<ReturnType<typeof seedSecret>>["secret"];
// Decides the approval requests: the owner granted the bot the gated secret, so four-eyes bars them.
let approver: Awaited<ReturnType<typeof seedMember>>;

beforeAll(async () => {
  db = await createTestDatabase();
  s = await seedScenario(db.prisma);
  grantless = await seedBot(db.prisma, s.orgId);
  frozenBot = await seedBot(db.prisma, s.orgId);
  ({ secret: approvalSecret } = await seedSecret(db.prisma, s.orgId));
  approver = await seedMember(db.prisma, s.orgId, "admin");
  server = await startServer({ databaseUrl: db.url, env: { RV_MASTER_KEY: process.env.RV_MASTER_KEY } });
  call = client(server.url);
  const policy = await call("PUT", "/api/v1/policy", { token: s.adminToken, body: { approvalSecretIds: [approvalSecret.id] } });
  expect(policy.status, policy.text).toBe(200);
  const grant = await call("POST", "/api/v1/grants", { token: s.adminToken, body: { botId: s.bot.id, secretId: approvalSecret.id } });
  expect(grant.status, grant.text).toBe(201);
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const wellFormed = (t: string) => !LONE_SURROGATE.test(t);
const storable = (t: string) => wellFormed(t) && !t.includes("\u0000");

async function verifyOk() {
  const res = await call("GET", "/api/v1/audit/verify", { token: s.adminToken });
  expect(res.status, res.text).toBe(200);
  expect(res.body, res.text).toMatchObject({ ok: true });
}

/** Refused as a bad request when the database would alter the text, otherwise `ok`. */
function expectFor(text: string, res: HttpResult, ok: number[], what: string) {
  const label = `${what} ${JSON.stringify(text)}: ${res.text.slice(0, 300)}`;
  if (storable(text)) expect(ok, label).toContain(res.status);
  else expect([res.status, res.body?.error?.code], label).toEqual([400, "validation_failed"]);
}

describe("text the database would alter", () => {
  it("a bot without grants cannot break verification with a lone surrogate (the reported attack)", async () => {
    const res = await call("POST", "/api/leases", { token: grantless.token, body: { secret: "NO_SUCH", justification: "\udfff deploying the release now" } });
    expect([res.status, res.body.error.code]).toEqual([400, "validation_failed"]);
    await verifyOk();
    // The malformed-request event names the field, nothing of the text.
    await sealAudit(db.prisma);
    const event = await db.prisma.auditEvent.findFirst({ where: { orgId: s.orgId, botId: grantless.bot.id }, orderBy: { seq: "desc" } });
    expect(event).toMatchObject({ type: "lease.denied", data: { fields: ["justification"] } });
  });

  it("a secret value with a lone surrogate is refused, not stored as U+FFFD", async () => {
    const res = await call("POST", "/api/v1/secrets", { token: s.adminToken, body: { name: unique("LONE_").toUpperCase(), value: "pass\ud800word" } });
    expect([res.status, res.body.error.code]).toEqual([400, "validation_failed"]);
    const rotate = await call("PUT", `/api/v1/secrets/${s.secret.id}`, { token: s.adminToken, body: { value: "\udc00" } });
    expect([rotate.status, rotate.body.error.code]).toEqual([400, "validation_failed"]);
  });

  // Lone surrogates, NUL, astral, combining marks, bidi controls, noncharacters, and anything else.
  const piece = fc.oneof(
    fc.constantFrom("\udfff", "\ud800", "\ud83d", "\ude00", "\u0000", "\ud83d\ude00", "\u{1f4a9}", "e\u0301", "\u0301", "\u202e", "\u200f", "\u2067", "\ufeff", "\ufffe", "\uffff", "\ufffd", "ß", "İ", "\u0085", "\u2028", "\\u0000", "%00", "\u{10ffff}"),
    fc.string({ unit: "binary", maxLength: 6 }),
    fc.string({ unit: "grapheme", maxLength: 6 }),
  );
  const text = fc.array(piece, { minLength: 1, maxLength: 5 }).map((parts) => parts.join(""));

  it("every audited text field: refused when unstorable, stored exactly otherwise, and verify stays ok", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(text, async (t) => {
        run++;
        // Long enough for every minimum (reasons, justifications), short enough for every maximum.
        const x = `Check ${t} end`;

        const denied = await call("POST", "/api/leases", { token: grantless.token, body: { secret: "NO_SUCH", justification: x } });
        expectFor(x, denied, [403], "denied lease justification");

        const granted = await call("POST", "/api/leases", { token: s.token, body: { secret: s.secret.name, justification: x } });
        expectFor(x, granted, [201], "lease justification");
        if (granted.status === 201) {
          await sealAudit(db.prisma);
          const event = await db.prisma.auditEvent.findFirst({ where: { orgId: s.orgId, leaseId: granted.body.id, type: "lease.granted" }, select: { justification: true } });
          expect(event?.justification).toBe(x);
          expectFor(x, await call("POST", `/api/v1/leases/${granted.body.id}/revoke`, { token: s.adminToken, body: { reason: x } }), [200], "revoke reason");
        }

        const pending = await call("POST", "/api/leases", { token: s.token, body: { secret: approvalSecret.name, justification: "needs a human to approve this" } });
        expect(pending.status, pending.text).toBe(202);
        expectFor(x, await call("POST", `/api/v1/approvals/${pending.body.id}/deny`, { token: approver.token, body: { reason: x } }), [200], "deny reason");
        // A refused deny leaves the lease pending: clear it so the approval queue stays short.
        if (!storable(x)) await call("POST", `/api/v1/approvals/${pending.body.id}/deny`, { token: approver.token, body: { reason: "cleanup" } });

        const name = unique("UNI_").toUpperCase() + run;
        const created = await call("POST", "/api/v1/secrets", { token: s.adminToken, body: { name, description: x, value: "v" } });
        expectFor(x, created, [201], "secret description");
        expectFor(x, await call("PUT", `/api/v1/secrets/${s.secret.id}`, { token: s.adminToken, body: { description: x } }), [200], "secret description update");

        // Values may hold NUL (they are sealed bytes), never a lone surrogate; what is kept comes back exactly.
        const valued = await call("POST", "/api/v1/secrets", { token: s.adminToken, body: { name: `${name}_V`, value: x } });
        if (wellFormed(x)) {
          expect(valued.status, valued.text).toBe(201);
          await call("POST", "/api/v1/grants", { token: s.adminToken, body: { botId: s.bot.id, secretId: valued.body.id } });
          const lease = await call("POST", "/api/leases", { token: s.token, body: { secret: `${name}_V`, justification: "reading the value back" } });
          const resolved = await call("POST", `/api/leases/${lease.body.id}/resolve`, { token: lease.body.leaseToken });
          expect(resolved.body.value).toBe(x);
        } else {
          expect([valued.status, valued.body.error.code]).toEqual([400, "validation_failed"]);
        }

        expectFor(x, await call("POST", "/api/v1/bots", { token: s.adminToken, body: { name: `uni-${unique()}`, description: x } }), [201], "bot description");
        expectFor(x, await call("POST", `/api/v1/bots/${frozenBot.bot.id}/freeze`, { token: s.adminToken, body: { reason: x } }), [200], "freeze reason");
        await call("POST", `/api/v1/bots/${frozenBot.bot.id}/unfreeze`, { token: s.adminToken, body: {} });
        expectFor(x, await call("POST", "/api/v1/leases/revoke", { token: s.adminToken, body: { botId: frozenBot.bot.id, reason: x } }), [200], "bulk revoke reason");
        expectFor(x, await call("POST", "/api/v1/members", { token: s.adminToken, body: { email: `${unique("m-")}@example.test`, role: "viewer", name: x } }), [201], "member name");
        const mount = { name: `m-${unique()}`, botId: s.bot.id, command: x, args: [x, `{{secret:${s.secret.name}}}`], mappings: [{ secret: s.secret.name }], justificationTemplate: x };
        expectFor(x, await call("POST", "/api/v1/mounts", { token: s.adminToken, body: mount }), [201], "mount recipe");

        // The malformed-request path records field paths: an unknown key made of the text, a bad type.
        const malformed = await call("POST", "/api/leases", { token: s.token, body: { [x]: x, secret: 42 } });
        expect(malformed.status).toBe(400);
        expect(malformed.text).not.toContain(JSON.stringify(x).slice(1, -1));

        await verifyOk();
      }),
      { numRuns: 30, seed: Number(process.env.RV_FUZZ_SEED ?? 20261110), endOnFailure: true },
    );
  }, 240_000);
});
