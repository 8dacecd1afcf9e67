// Security review, issue 10, over HTTP against the built server: one admin alone cannot
// obtain an approval-gated value (rotate someone else's bot token, grant, request,
// approve yourself; approve, then take the token and collect; drop the secret's tag;
// delete it; edit the rule), and the security role freezes bots but cannot unfreeze them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { startServer } from "../test/server";
import { sealAudit, unique } from "../test/fixtures";
import { bootstrap } from "../lib/orgs/bootstrap";
import { generateToken } from "../lib/crypto/tokens";
import { transaction } from "../lib/db/prisma";
import { SYSTEM_ACTOR } from "../lib/audit/record-audit-event";
import { createUser } from "../lib/users/create-user";
import { createApiToken } from "../lib/api-tokens/create-api-token";
import type { Role } from "../lib/generated/prisma/enums";
import { client } from "./http";

const OWNER = generateToken("rva_");
const VALUE = `payroll-live-${crypto.randomUUID()}`;
const justification = "Quarterly payroll export for the auditors";

let db: TestDatabase;
let server: Awaited<ReturnType<typeof startServer>>;
let call: ReturnType<typeof client>;
let orgId: string;
const transcript: string[] = [];

async function member(role: Role) {
  return transaction(db.prisma, async (tx) => {
    const user = await createUser(tx, { orgId, email: `${unique(`${role}-`)}@example.test`, password: "correct horse battery", role, actor: SYSTEM_ACTOR });
    return { id: user.id, token: (await createApiToken(tx, { orgId, userId: user.id, name: role, actor: SYSTEM_ACTOR })).token };
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  const result = await bootstrap(db.prisma, { email: "owner@payroll.test", password: "a long enough password", apiToken: OWNER });
  if (!result.created) throw new Error(result.reason);
  orgId = result.orgId;
  server = await startServer({ databaseUrl: db.url });
  call = client(server.url, transcript);
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

describe("one admin alone cannot obtain an approval-gated value", () => {
  const s: Record<string, string> = {};
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  it("the owner gates PAYROLL_KEY (tag pci) and creates a bot", async () => {
    alice = await member("admin");
    bob = await member("admin");
    const secret = await call("POST", "/api/v1/secrets", { token: OWNER, body: { name: "PAYROLL_KEY", tags: ["pci"], value: VALUE } });
    expect(secret.status).toBe(201);
    s.secretId = secret.body.id;
    expect((await call("PUT", "/api/v1/policy", { token: OWNER, body: { approvalTags: ["pci"] } })).status).toBe(200);
    const bot = await call("POST", "/api/v1/bots", { token: OWNER, body: { name: "payroll-bot" } });
    expect(bot.status).toBe(201);
    s.botId = bot.body.id;
  });

  it("(finding 2a) rotating someone else's bot token, granting it and approving your own request is refused", async () => {
    const rotated = await call("POST", `/api/v1/bots/${s.botId}/rotate-token`, { token: alice.token });
    expect(rotated.status).toBe(200);
    s.botToken = rotated.body.token;
    expect((await call("POST", "/api/v1/grants", { token: alice.token, body: { botId: s.botId, secretId: s.secretId } })).status).toBe(201);

    const requested = await call("POST", "/api/leases", { token: s.botToken, body: { secret: "PAYROLL_KEY", justification } });
    expect(requested.status).toBe(202);
    s.leaseId = requested.body.id;

    const selfApproved = await call("POST", `/api/v1/approvals/${s.leaseId}/approve`, { token: alice.token, body: {} });
    expect(selfApproved.status).toBe(403);
    expect(selfApproved.body.error).toEqual({ code: "forbidden", message: "You issued this bot's current token, so you may not decide its requests" });
    // The bot's creator may not either.
    expect((await call("POST", `/api/v1/approvals/${s.leaseId}/approve`, { token: OWNER, body: {} })).status).toBe(403);

    const polled = await call("GET", `/api/leases/${s.leaseId}`, { token: s.botToken });
    expect(polled.body).toMatchObject({ status: "pending" });
    expect(polled.body.leaseToken).toBeUndefined();

    const list = await call("GET", "/api/v1/approvals", { token: alice.token });
    const row = list.body.pending.find((p: { id: string }) => p.id === s.leaseId);
    expect(row.excludedApprovers).toMatchObject({ [alice.id]: "You issued this bot's current token" });
  });

  it("a second, independent admin's approval releases it (four eyes, as designed)", async () => {
    expect((await call("POST", `/api/v1/approvals/${s.leaseId}/approve`, { token: bob.token, body: {} })).body).toMatchObject({ status: "active" });
    const collected = await call("GET", `/api/leases/${s.leaseId}`, { token: s.botToken });
    expect(collected.body.leaseToken).toMatch(/^rvl_/);
    const resolved = await call("POST", `/api/leases/${s.leaseId}/resolve`, { token: collected.body.leaseToken });
    expect(resolved.body.value).toBe(VALUE);
  });

  it("approving a request, then rotating the token and collecting with it, gets a revoked lease and no token", async () => {
    const requested = await call("POST", "/api/leases", { token: s.botToken, body: { secret: "PAYROLL_KEY", justification } });
    expect(requested.status).toBe(202);
    expect((await call("POST", `/api/v1/approvals/${requested.body.id}/approve`, { token: bob.token, body: {} })).body).toMatchObject({ status: "active" });
    const taken = await call("POST", `/api/v1/bots/${s.botId}/rotate-token`, { token: bob.token });
    s.botToken = taken.body.token;
    const collected = await call("GET", `/api/leases/${requested.body.id}`, { token: s.botToken });
    expect(collected.status).toBe(200);
    expect(collected.body.status).toBe("revoked");
    expect(collected.body.leaseToken).toBeUndefined();
  });

  it("(finding 2b) an admin cannot take the secret out of the rule: tags, deletion, policy", async () => {
    const cleared = await call("PUT", `/api/v1/secrets/${s.secretId}`, { token: alice.token, body: { tags: [] } });
    expect(cleared.status).toBe(403);
    expect(cleared.body.error.message).toBe("Only an owner may remove the approval tag pci from a secret");
    const described = await call("PUT", `/api/v1/secrets/${s.secretId}`, { token: alice.token, body: { description: "Payroll export" } });
    expect(described.status).toBe(200);
    expect(described.body.tags).toEqual(["pci"]);
    expect((await call("DELETE", `/api/v1/secrets/${s.secretId}`, { token: alice.token })).status).toBe(403);
    expect((await call("PUT", "/api/v1/policy", { token: alice.token, body: { approvalTags: [] } })).status).toBe(403);

    // Still gated.
    expect((await call("POST", "/api/leases", { token: s.botToken, body: { secret: "PAYROLL_KEY", justification } })).status).toBe(202);
    await sealAudit(db.prisma);
    const denials = await db.prisma.auditEvent.findMany({ where: { orgId, type: "admin.denied", actorId: alice.id }, orderBy: { seq: "asc" }, select: { reason: true } });
    expect(denials.map((d) => d.reason)).toEqual([
      "role admin lacks approvals:remove-coverage",
      "role admin lacks approvals:remove-coverage",
      "role admin lacks policy:write",
    ]);
  });

  it("never returned the value outside the one resolve", () => {
    expect(transcript.filter((t) => t.includes(VALUE))).toHaveLength(1);
  });
});

describe("(finding 9) the security role freezes bots, and only owners and admins unfreeze them", () => {
  it("matches the README's roles table", async () => {
    const security = await member("security");
    const bot = await call("POST", "/api/v1/bots", { token: OWNER, body: { name: "incident-bot" } });
    expect((await call("POST", `/api/v1/bots/${bot.body.id}/freeze`, { token: security.token, body: { reason: "leak" } })).body).toMatchObject({ frozen: true });
    const unfreeze = await call("POST", `/api/v1/bots/${bot.body.id}/unfreeze`, { token: security.token });
    expect(unfreeze.status).toBe(403);
    await sealAudit(db.prisma);
    const denial = await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId, type: "admin.denied", actorId: security.id } });
    expect(denial.reason).toBe("role security lacks bots:write");
    expect((await call("POST", `/api/v1/bots/${bot.body.id}/unfreeze`, { token: OWNER })).body).toMatchObject({ frozen: false });
  });
});
