import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { issueLease, sealAudit, seedBot, seedGrant, seedScenario, seedSecret } from "../../test/fixtures";
import { transaction } from "../db/prisma";
import { ApiError } from "../api/errors";
import { requestLease } from "./request-lease";
import { resolveLease } from "./resolve-lease";
import { releaseLease } from "./release-lease";
import { revokeLeases } from "./revoke-leases";
import { getBotLeaseOrThrow } from "./get-bot-lease-or-throw";
import { updatePolicy } from "../policy/update-policy";
import { updateSecret } from "../secrets/update-secret";
import { setBotFrozen } from "../bots/set-bot-frozen";
import { updateBot } from "../bots/update-bot";
import { SYSTEM_ACTOR } from "../audit/record-audit-event";
import { requestLeaseSchema } from "../validations/lease";
import { createMount } from "../mounts/create-mount";
import { createMountSchema } from "../validations/mount";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const justification = "Reconcile unpaid invoices before month-end close";
const input = (secret: string, extra: Record<string, unknown> = {}) => requestLeaseSchema.parse({ secret, justification, ...extra });

async function denialCode(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error("expected a denial");
}

describe("requestLease", () => {
  it("a mount's mapping may limit which tools' calls lease a secret; the refusal is audited", async () => {
    const s = await seedScenario(db.prisma);
    await transaction(db.prisma, (tx) =>
      createMount(tx, {
        orgId: s.orgId,
        actor: SYSTEM_ACTOR,
        input: createMountSchema.parse({ name: "billing", botId: s.bot.id, command: "node", mappings: [{ secret: s.secret.name, tools: ["create_invoice"] }], justificationTemplate: "billing server" }),
      }),
    );
    const through = (extra: Record<string, unknown>) => requestLease(db.prisma, { bot: s.principal, input: input(s.secret.name, { mount: "billing", ...extra }) });
    await expect(through({ tool: "create_invoice" })).resolves.toMatchObject({ status: "active" });
    // Without a tool (the launch, an SDK call) the list does not apply.
    await expect(through({})).resolves.toMatchObject({ status: "active" });
    expect(await denialCode(through({ tool: "delete_everything" }))).toEqual({ code: "permission_denied", message: "This mount does not let that tool receive that secret" });
    await sealAudit(db.prisma, s.orgId);
    const events = await db.prisma.auditEvent.findMany({ where: { orgId: s.orgId, type: { in: ["lease.granted", "lease.denied"] } }, orderBy: { seq: "asc" } });
    expect(events.map((e) => [e.type, (e.data as { tool?: string } | null)?.tool ?? null])).toEqual([
      ["lease.granted", "create_invoice"],
      ["lease.granted", null],
      ["lease.denied", "delete_everything"],
    ]);
  });

  it("issues a lease with the default 15-minute TTL and no plaintext", async () => {
    const s = await seedScenario(db.prisma);
    const before = Date.now();
    const lease = await issueLease(db.prisma, { bot: s.principal, input: input(s.secret.name) });
    expect(lease.id).toMatch(/^lse_/);
    expect(lease.leaseToken).toMatch(/^rvl_[A-Za-z0-9_-]{43}$/);
    expect(lease).toMatchObject({ secret: s.secret.name, scope: "default", status: "active", singleUse: false });
    const ttl = (Date.parse(lease.expiresAt) - before) / 1000;
    expect(ttl).toBeGreaterThan(899);
    expect(ttl).toBeLessThanOrEqual(901);
    expect(JSON.stringify(lease)).not.toContain(s.value);
    const row = await db.prisma.lease.findUniqueOrThrow({ where: { id: lease.id } });
    expect(row.tokenHash).not.toContain(lease.leaseToken.slice(4));
  });

  it("clamps the TTL to the policy maximum and then to the grant maximum", async () => {
    const s = await seedScenario(db.prisma);
    const t0 = Date.now();
    const a = await issueLease(db.prisma, { bot: s.principal, input: input(s.secret.name, { ttlSeconds: 86_400 }) });
    expect(Math.round((Date.parse(a.expiresAt) - t0) / 1000)).toBe(3600);

    const { secret } = await seedSecret(db.prisma, s.orgId);
    await seedGrant(db.prisma, s.orgId, s.bot.id, secret.id, { maxTtlSeconds: 120 });
    const t1 = Date.now();
    const b = await issueLease(db.prisma, { bot: s.principal, input: input(secret.name, { ttlSeconds: 3000 }) });
    expect(Math.round((Date.parse(b.expiresAt) - t1) / 1000)).toBe(120);
    await sealAudit(db.prisma);
    const event = await db.prisma.auditEvent.findFirstOrThrow({ where: { leaseId: b.id, type: "lease.granted" } });
    expect(event.data).toMatchObject({ ttlSeconds: 120, requestedTtlSeconds: 3000, clamped: true });
  });

  it("answers a missing secret exactly like a missing grant", async () => {
    const s = await seedScenario(db.prisma);
    const { secret: ungranted } = await seedSecret(db.prisma, s.orgId);
    const missing = await denialCode(requestLease(db.prisma, { bot: s.principal, input: input("NO_SUCH_SECRET") }));
    const notGranted = await denialCode(requestLease(db.prisma, { bot: s.principal, input: input(ungranted.name) }));
    const wrongScope = await denialCode(requestLease(db.prisma, { bot: s.principal, input: input(s.secret.name, { scope: "production" }) }));
    // The same words either way; only the scope tried is named.
    expect(missing).toEqual(notGranted);
    expect(missing).toEqual({ code: "permission_denied", message: 'This bot is not permitted to lease that secret in scope "default"' });
    expect(wrongScope).toEqual({ code: "permission_denied", message: 'This bot is not permitted to lease that secret in scope "production"' });
    await sealAudit(db.prisma);
    const denials = await db.prisma.auditEvent.findMany({ where: { orgId: s.orgId, type: "lease.denied" } });
    expect(denials.map((d) => d.secretName).sort()).toEqual(["NO_SUCH_SECRET", s.secret.name, ungranted.name].sort());
    expect(denials.every((d) => d.outcome === "denied" && d.reason?.startsWith("permission_denied"))).toBe(true);
  });

  it("uses the bot's environment as the scope when a request names none", async () => {
    const org = await seedScenario(db.prisma, { scope: "default" });
    const { secret: testSecret, value: testValue } = await seedSecret(db.prisma, org.orgId, { name: org.secret.name, scope: "test" });
    const tester = await seedBot(db.prisma, org.orgId);
    await seedGrant(db.prisma, org.orgId, tester.bot.id, testSecret.id);
    await transaction(db.prisma, (tx) => updateBot(tx, { orgId: org.orgId, id: tester.bot.id, actor: SYSTEM_ACTOR, input: { environment: "test" } }));
    const lease = await issueLease(db.prisma, { bot: tester.principal, input: input(org.secret.name) });
    expect(lease.scope).toBe("test");
    expect((await resolveLease(db.prisma, { leaseId: lease.id, leaseToken: lease.leaseToken })).value).toBe(testValue);
    // A scope named in the request still wins, and a denial names the scope it tried.
    expect(await denialCode(requestLease(db.prisma, { bot: tester.principal, input: input(org.secret.name, { scope: "default" }) }))).toMatchObject({
      message: 'This bot is not permitted to lease that secret in scope "default"',
    });
    await transaction(db.prisma, (tx) => updateBot(tx, { orgId: org.orgId, id: tester.bot.id, actor: SYSTEM_ACTOR, input: { environment: "staging" } }));
    expect(await denialCode(requestLease(db.prisma, { bot: tester.principal, input: input(org.secret.name) }))).toMatchObject({
      message: 'This bot is not permitted to lease that secret in scope "staging"',
    });
    // The other bot, with no environment, still gets the default scope.
    expect((await issueLease(db.prisma, { bot: org.principal, input: input(org.secret.name) })).scope).toBe("default");
    await sealAudit(db.prisma, org.orgId);
    const denied = await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: org.orgId, botId: tester.bot.id, type: "lease.denied" }, orderBy: { seq: "desc" } });
    expect(denied.scope).toBe("staging");
    const updated = await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: org.orgId, type: "bot.updated" }, orderBy: { seq: "desc" } });
    expect(updated.data).toMatchObject({ environment: { from: "test", to: "staging" } });
  });

  it("applies checks in order: frozen bot before grant before policy", async () => {
    const s = await seedScenario(db.prisma);
    const short = await denialCode(requestLease(db.prisma, { bot: s.principal, input: input(s.secret.name, { justification: "too short" }) }));
    expect(short.code).toBe("policy_denied");
    expect(short.message).toMatch(/justification of at least 10/);

    await transaction(db.prisma, (tx) => setBotFrozen(tx, { orgId: s.orgId, id: s.bot.id, frozen: true, actor: SYSTEM_ACTOR }));
    const frozen = await denialCode(requestLease(db.prisma, { bot: s.principal, input: input("NO_SUCH_SECRET", { justification: "" }) }));
    expect(frozen.code).toBe("bot_frozen");
  });

  it("follows policy changes: no justification needed, single-use by default, grant forcing single-use", async () => {
    const s = await seedScenario(db.prisma);
    await transaction(db.prisma, (tx) =>
      updatePolicy(tx, { orgId: s.orgId, actor: SYSTEM_ACTOR, input: { requireJustification: false, singleUseByDefault: true } }),
    );
    const lease = await issueLease(db.prisma, { bot: s.principal, input: input(s.secret.name, { justification: "" }) });
    expect(lease.singleUse).toBe(true);

    const { secret } = await seedSecret(db.prisma, s.orgId);
    await seedGrant(db.prisma, s.orgId, s.bot.id, secret.id, { singleUseOnly: true });
    const refused = await denialCode(requestLease(db.prisma, { bot: s.principal, input: input(secret.name, { singleUse: false }) }));
    expect(refused).toEqual({ code: "policy_denied", message: "This grant only allows single-use leases" });
  });
});

describe("resolveLease", () => {
  it("returns the current version's value and records the resolve", async () => {
    const s = await seedScenario(db.prisma, { scope: "production" });
    const lease = await issueLease(db.prisma, { bot: s.principal, input: input(s.secret.name, { scope: "production" }) });
    const first = await resolveLease(db.prisma, { leaseId: lease.id, leaseToken: lease.leaseToken });
    expect(first).toEqual({ secret: s.secret.name, scope: "production", version: 1, value: s.value, expiresAt: lease.expiresAt });

    await transaction(db.prisma, (tx) => updateSecret(tx, { orgId: s.orgId, id: s.secret.id, actor: SYSTEM_ACTOR, input: { value: "rotated-value-123" } }));
    const second = await resolveLease(db.prisma, { leaseId: lease.id, leaseToken: lease.leaseToken });
    expect(second).toMatchObject({ version: 2, value: "rotated-value-123" });

    const status = await getBotLeaseOrThrow(db.prisma, { orgId: s.orgId, botId: s.bot.id, id: lease.id });
    expect(status).toMatchObject({ status: "active", resolveCount: 2 });
    await sealAudit(db.prisma);
    const events = await db.prisma.auditEvent.findMany({ where: { leaseId: lease.id, type: "lease.resolved" }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.secretVersion)).toEqual([1, 2]);
  });

  it("rejects a wrong token without saying whether the lease exists", async () => {
    const s = await seedScenario(db.prisma);
    const lease = await issueLease(db.prisma, { bot: s.principal, input: input(s.secret.name) });
    const other = await issueLease(db.prisma, { bot: s.principal, input: input(s.secret.name) });
    const wrong = await denialCode(resolveLease(db.prisma, { leaseId: lease.id, leaseToken: other.leaseToken }));
    const missing = await denialCode(resolveLease(db.prisma, { leaseId: "lse_000000000000000000000000", leaseToken: other.leaseToken }));
    expect(wrong).toEqual({ code: "unauthenticated", message: "A valid lease token is required" });
    expect(missing).toEqual(wrong);
  });

  it("answers 410 codes for expired, revoked and used leases", async () => {
    const s = await seedScenario(db.prisma);
    const past = new Date(Date.now() - 3_600_000);
    const old = await issueLease(db.prisma, { bot: s.principal, input: input(s.secret.name, { ttlSeconds: 60 }), now: () => past });
    expect((await denialCode(resolveLease(db.prisma, { leaseId: old.id, leaseToken: old.leaseToken }))).code).toBe("lease_expired");

    const once = await issueLease(db.prisma, { bot: s.principal, input: input(s.secret.name, { singleUse: true }) });
    await resolveLease(db.prisma, { leaseId: once.id, leaseToken: once.leaseToken });
    expect((await denialCode(resolveLease(db.prisma, { leaseId: once.id, leaseToken: once.leaseToken }))).code).toBe("lease_used");

    const released = await issueLease(db.prisma, { bot: s.principal, input: input(s.secret.name) });
    await releaseLease(db.prisma, { orgId: s.orgId, botId: s.bot.id, id: released.id });
    expect((await denialCode(resolveLease(db.prisma, { leaseId: released.id, leaseToken: released.leaseToken }))).code).toBe("lease_revoked");

    const statuses = await Promise.all(
      [old, once, released].map((l) => getBotLeaseOrThrow(db.prisma, { orgId: s.orgId, botId: s.bot.id, id: l.id })),
    );
    expect(statuses.map((l) => l.status)).toEqual(["expired", "used", "released"]);
    await sealAudit(db.prisma);
    const refusals = await db.prisma.auditEvent.findMany({ where: { orgId: s.orgId, type: "lease.resolve_denied" }, orderBy: { seq: "asc" } });
    expect(refusals).toHaveLength(3);
    // A refused resolve still says why the lease was taken.
    expect(refusals.map((e) => e.justification)).toEqual([justification, justification, justification]);
    expect(refusals[2].reason).toBe("lease_revoked: This lease was released by its bot");
  });

  it("gives a single-use lease's value to exactly one of 50 simultaneous resolves", async () => {
    const s = await seedScenario(db.prisma);
    const lease = await issueLease(db.prisma, { bot: s.principal, input: input(s.secret.name, { singleUse: true }) });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => resolveLease(db.prisma, { leaseId: lease.id, leaseToken: lease.leaseToken })),
    );
    const values = results.filter((r) => r.status === "fulfilled");
    expect(values).toHaveLength(1);
    const codes = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as ApiError).code] : []));
    expect(new Set(codes)).toEqual(new Set(["lease_used"]));
    await sealAudit(db.prisma);
    expect(await db.prisma.auditEvent.count({ where: { leaseId: lease.id, type: "lease.resolved" } })).toBe(1);
  });

  it("lets no lease issued during an incident sweep escape it", async () => {
    const s = await seedScenario(db.prisma);
    const requests = Array.from({ length: 24 }, () =>
      issueLease(db.prisma, { bot: s.principal, input: input(s.secret.name) }).catch(() => null),
    );
    await new Promise((r) => setTimeout(r, 5));
    const sweep = transaction(db.prisma, (tx) => revokeLeases(tx, { orgId: s.orgId, actor: SYSTEM_ACTOR, input: { all: true, reason: "incident drill" } }));
    await Promise.all([...requests, sweep]);
    await sealAudit(db.prisma);
    const revokedAt = (await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: s.orgId, type: "leases.revoked" } })).seq;
    await sealAudit(db.prisma);
    const granted = await db.prisma.auditEvent.findMany({ where: { orgId: s.orgId, type: "lease.granted" }, select: { seq: true, leaseId: true } });
    const leases = new Map((await db.prisma.lease.findMany({ where: { orgId: s.orgId }, select: { id: true, status: true } })).map((l) => [l.id, l.status]));
    expect(granted).toHaveLength(24);
    for (const g of granted) {
      // Granted before the sweep's event means swept; only later grants may stay active.
      if (g.seq < revokedAt) expect(leases.get(g.leaseId!), `lease ${g.leaseId}`).toBe("revoked");
    }
  });

  it("repeats the lease's justification, mount and tool on its resolve event, in the claim statement", async () => {
    const s = await seedScenario(db.prisma);
    const mount = await db.prisma.mount.create({
      data: { id: `mnt_${s.bot.id.slice(4)}`, orgId: s.orgId, name: `m-${s.bot.id.slice(-8)}`, botId: s.bot.id, command: "true", mappings: [], justificationTemplate: "t" },
    });
    const why = `Read the ledger [mcp mount ${mount.name}: tool call list_invoices]`;
    const lease = await issueLease(db.prisma, { bot: s.principal, input: requestLeaseSchema.parse({ secret: s.secret.name, justification: why, mount: mount.name, tool: "list_invoices" }) });
    await resolveLease(db.prisma, { leaseId: lease.id, leaseToken: lease.leaseToken, ip: "203.0.113.9" });
    expect(await db.prisma.lease.findUniqueOrThrow({ where: { id: lease.id }, select: { mount: true, tool: true } })).toEqual({ mount: mount.name, tool: "list_invoices" });
    await sealAudit(db.prisma);
    const resolved = await db.prisma.auditEvent.findFirstOrThrow({ where: { leaseId: lease.id, type: "lease.resolved" } });
    expect(resolved).toMatchObject({ justification: why, ip: "203.0.113.9", botId: s.bot.id, data: { singleUse: false, mount: mount.name, tool: "list_invoices" } });
    const granted = await db.prisma.auditEvent.findFirstOrThrow({ where: { leaseId: lease.id, type: "lease.granted" } });
    expect(granted.data).toMatchObject({ mount: mount.name, tool: "list_invoices" });
  });

  it("gives a bot's own release its own status, which incident sweeps do not count", async () => {
    const s = await seedScenario(db.prisma);
    const released = await issueLease(db.prisma, { bot: s.principal, input: input(s.secret.name) });
    const active = await issueLease(db.prisma, { bot: s.principal, input: input(s.secret.name) });
    await releaseLease(db.prisma, { orgId: s.orgId, botId: s.bot.id, id: released.id });
    const swept = await transaction(db.prisma, (tx) => revokeLeases(tx, { orgId: s.orgId, actor: SYSTEM_ACTOR, input: { botId: s.bot.id, reason: "drill for the count" } }));
    expect(swept).toEqual({ revoked: 1 });
    const rows = await db.prisma.lease.findMany({ where: { id: { in: [released.id, active.id] } }, select: { id: true, status: true } });
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({ [released.id]: "released", [active.id]: "revoked" });
    // Releasing again changes nothing.
    await releaseLease(db.prisma, { orgId: s.orgId, botId: s.bot.id, id: released.id });
    await releaseLease(db.prisma, { orgId: s.orgId, botId: s.bot.id, id: active.id });
    expect((await db.prisma.lease.findUniqueOrThrow({ where: { id: active.id } })).status).toBe("revoked");
  });

  it("stops resolving at once when a bot is frozen or its leases are revoked in bulk", async () => {
    const s = await seedScenario(db.prisma);
    const a = await issueLease(db.prisma, { bot: s.principal, input: input(s.secret.name) });
    await transaction(db.prisma, (tx) => revokeLeases(tx, { orgId: s.orgId, actor: SYSTEM_ACTOR, input: { secretId: s.secret.id, reason: "key leaked in a log" } }));
    expect((await denialCode(resolveLease(db.prisma, { leaseId: a.id, leaseToken: a.leaseToken }))).code).toBe("lease_revoked");

    const second = await seedBot(db.prisma, s.orgId);
    await seedGrant(db.prisma, s.orgId, second.bot.id, s.secret.id);
    const b = await issueLease(db.prisma, { bot: second.principal, input: input(s.secret.name) });
    const c = await issueLease(db.prisma, { bot: s.principal, input: input(s.secret.name) });
    await transaction(db.prisma, (tx) => setBotFrozen(tx, { orgId: s.orgId, id: second.bot.id, frozen: true, actor: SYSTEM_ACTOR }));
    expect((await denialCode(resolveLease(db.prisma, { leaseId: b.id, leaseToken: b.leaseToken }))).code).toBe("lease_revoked");
    expect((await resolveLease(db.prisma, { leaseId: c.id, leaseToken: c.leaseToken })).value).toBe(s.value);
  });
});
