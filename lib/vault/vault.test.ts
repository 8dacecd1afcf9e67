// vault.list / vault.read as the bot API runs them (real PostgreSQL): grant and policy
// checked as for a lease, events recorded, denials that say nothing about existence,
// org isolation, and the value only with revealToAgent and never in an event.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { issueLease, refusal, sealAudit, seedBot, seedGrant, seedScenario, seedSecret } from "../../test/fixtures";
import { resolveLease } from "../leases/resolve-lease";
import { requestLeaseSchema } from "../validations/lease";
import { transaction } from "../db/prisma";
import { SYSTEM_ACTOR } from "../audit/record-audit-event";
import { sseEventName } from "../events/event-names";
import { updatePolicy } from "../policy/update-policy";
import { setBotFrozen } from "../bots/set-bot-frozen";
import { updateBot } from "../bots/update-bot";
import { createMount } from "../mounts/create-mount";
import { createGrant } from "../grants/create-grant";
import { updateGrant } from "../grants/update-grant";
import { createMountSchema } from "../validations/mount";
import { vaultReadSchema } from "../validations/vault";
import { listVaultSecrets } from "./list-vault-secrets";
import { readVaultSecret } from "./read-vault-secret";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const justification = "Send the monthly invoices to the accounting API";
const read = (secret: string, extra: Record<string, unknown> = {}) => vaultReadSchema.parse({ secret, justification, ...extra });

const text = (rows: unknown) => JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? String(v) : v));

async function events(orgId: string) {
  await sealAudit(db.prisma, orgId);
  return db.prisma.auditEvent.findMany({ where: { orgId }, orderBy: { seq: "asc" } });
}

const setReveal = (orgId: string, id: string, revealToAgent: boolean) =>
  transaction(db.prisma, (tx) => updateGrant(tx, { orgId, id, actor: SYSTEM_ACTOR, input: { revealToAgent } }));

describe("readVaultSecret", () => {
  it("returns the reference, not the value, and records vault.read", async () => {
    const s = await seedScenario(db.prisma);
    const result = await readVaultSecret(db.prisma, { bot: s.principal, input: read(s.secret.name), ip: "203.0.113.9" });
    expect(result).toEqual({ secret: s.secret.name, scope: "default", reference: `{{secret:${s.secret.name}}}`, approvalRequired: false, revealed: false });
    const all = await events(s.orgId);
    const ev = all.find((e) => e.type === "vault.read")!;
    expect(ev).toMatchObject({ actorType: "bot", actorId: s.bot.id, botId: s.bot.id, secretId: s.secret.id, secretName: s.secret.name, scope: "default", outcome: "success", justification, ip: "203.0.113.9" });
    expect(ev.data).toMatchObject({ revealed: false, reference: `{{secret:${s.secret.name}}}`, mount: null });
    expect(sseEventName("vault.read")).toBe("vault.read");
    // Nothing was leased and nothing decrypted.
    expect(all.filter((e) => e.type.startsWith("lease."))).toEqual([]);
    expect(await db.prisma.lease.count({ where: { orgId: s.orgId } })).toBe(0);
    expect(text(all)).not.toContain(s.value);
  });

  it("returns the value only when the grant has revealToAgent, through a used single-use lease, never in an event", async () => {
    const s = await seedScenario(db.prisma);
    await setReveal(s.orgId, s.grant.id, true);
    const result = await readVaultSecret(db.prisma, { bot: s.principal, input: read(s.secret.name) });
    expect(result).toEqual({ secret: s.secret.name, scope: "default", reference: `{{secret:${s.secret.name}}}`, approvalRequired: false, revealed: true, value: s.value });
    const leases = await db.prisma.lease.findMany({ where: { orgId: s.orgId } });
    expect(leases).toHaveLength(1);
    expect(leases[0]).toMatchObject({ singleUse: true, status: "used", resolveCount: 1, justification });
    const all = await events(s.orgId);
    const types = all.map((e) => e.type);
    expect(types.slice(-3)).toEqual(["lease.granted", "lease.resolved", "vault.read"]);
    const ev = all.at(-1)!;
    expect(ev).toMatchObject({ leaseId: leases[0].id, secretId: s.secret.id, secretVersion: 1, outcome: "success" });
    expect(ev.data).toMatchObject({ revealed: true });
    // The live stream: the value's read is vault.accessed once (lease.resolved), vault.read stays itself.
    expect(all.slice(-3).map((e) => sseEventName(e.type))).toEqual(["lease.granted", "vault.accessed", "vault.read"]);
    expect(text(all)).not.toContain(s.value);
    // The grant event carries the switch.
    const updated = all.find((e) => e.type === "grant.updated")!;
    expect(updated.data).toMatchObject({ grantId: s.grant.id, revealToAgent: true, previous: { revealToAgent: false } });

    // Switched off again: references only.
    await setReveal(s.orgId, s.grant.id, false);
    expect(await readVaultSecret(db.prisma, { bot: s.principal, input: read(s.secret.name) })).toMatchObject({ revealed: false });
  });

  it("hands out nothing when the reveal is switched off between vault.read's check and the claim", async () => {
    // The claim is where the value leaves: it re-reads the grant, so the switch made after
    // the check (here: before the resolve of the lease vault.read issued) wins.
    const s = await seedScenario(db.prisma);
    const lease = await issueLease(db.prisma, { bot: s.principal, input: requestLeaseSchema.parse({ secret: s.secret.name, justification, singleUse: true }) });
    const revealEvent = () => ({ orgId: s.orgId, type: "vault.read", actor: { type: "bot" as const, id: s.principal.id }, botId: s.principal.id, secretId: s.secret.id, data: { revealed: true } });
    expect(await refusal(resolveLease(db.prisma, { leaseId: lease.id, leaseToken: lease.leaseToken, reveal: revealEvent }))).toMatchObject({ code: "conflict" });
    expect(await db.prisma.lease.findUniqueOrThrow({ where: { id: lease.id } })).toMatchObject({ status: "active", resolveCount: 0 });
    expect((await events(s.orgId)).map((e) => e.type)).not.toContain("vault.read");

    await setReveal(s.orgId, s.grant.id, true);
    const resolved = await resolveLease(db.prisma, { leaseId: lease.id, leaseToken: lease.leaseToken, reveal: revealEvent });
    expect(resolved.value).toBe(s.value);
    expect((await events(s.orgId)).map((e) => e.type).slice(-2)).toEqual(["lease.resolved", "vault.read"]);
  });

  it("refuses an unknown and an ungranted secret alike, recording the usual denial", async () => {
    const s = await seedScenario(db.prisma);
    const { secret: ungranted } = await seedSecret(db.prisma, s.orgId);
    // Another org's secret with a name this bot might try.
    const other = await seedScenario(db.prisma);
    const unknown = await refusal(readVaultSecret(db.prisma, { bot: s.principal, input: read("NO_SUCH_SECRET_EVER") }));
    const notGranted = await refusal(readVaultSecret(db.prisma, { bot: s.principal, input: read(ungranted.name) }));
    const foreign = await refusal(readVaultSecret(db.prisma, { bot: s.principal, input: read(other.secret.name) }));
    expect(unknown.code).toBe("permission_denied");
    expect(notGranted).toEqual(unknown);
    expect(foreign).toEqual(unknown);
    expect(unknown.message).not.toContain("NO_SUCH_SECRET_EVER");
    const denials = (await events(s.orgId)).filter((e) => e.outcome === "denied");
    expect(denials).toHaveLength(3);
    for (const d of denials) {
      expect(d.type).toBe("lease.denied");
      expect(sseEventName(d.type)).toBe("vault.denied");
      expect(d.data).toMatchObject({ via: "vault.read" });
      // Neither event says whether the secret exists.
      expect(d.secretId).toBeNull();
    }
    // Nothing reached the other org's trail.
    expect((await events(other.orgId)).filter((e) => e.botId === s.bot.id)).toEqual([]);
  });

  it("applies the org's policy: a missing justification is refused when required", async () => {
    const s = await seedScenario(db.prisma);
    await setReveal(s.orgId, s.grant.id, true);
    const denied = await refusal(readVaultSecret(db.prisma, { bot: s.principal, input: vaultReadSchema.parse({ secret: s.secret.name }) }));
    expect(denied.code).toBe("policy_denied");
    expect(await db.prisma.lease.count({ where: { orgId: s.orgId } })).toBe(0);
    await transaction(db.prisma, (tx) => updatePolicy(tx, { orgId: s.orgId, actor: SYSTEM_ACTOR, input: { requireJustification: false } }));
    expect(await readVaultSecret(db.prisma, { bot: s.principal, input: vaultReadSchema.parse({ secret: s.secret.name }) })).toMatchObject({ revealed: true, value: s.value });
  });

  it("never reveals a secret under an approval rule, even with revealToAgent", async () => {
    const s = await seedScenario(db.prisma);
    await setReveal(s.orgId, s.grant.id, true);
    await transaction(db.prisma, (tx) => updatePolicy(tx, { orgId: s.orgId, actor: SYSTEM_ACTOR, input: { approvalSecretIds: [s.secret.id] } }));
    const result = await readVaultSecret(db.prisma, { bot: s.principal, input: read(s.secret.name) });
    expect(result).toEqual({ secret: s.secret.name, scope: "default", reference: `{{secret:${s.secret.name}}}`, approvalRequired: true, revealed: false });
    expect(await db.prisma.lease.count({ where: { orgId: s.orgId } })).toBe(0);
    const ev = (await events(s.orgId)).at(-1)!;
    expect(ev.type).toBe("vault.read");
    expect(ev.data).toMatchObject({ revealed: false, approvalRequired: true, revealToAgent: true });
  });

  it("refuses a frozen bot", async () => {
    const s = await seedScenario(db.prisma);
    await transaction(db.prisma, (tx) => setBotFrozen(tx, { orgId: s.orgId, id: s.bot.id, frozen: true, actor: SYSTEM_ACTOR }));
    expect((await refusal(readVaultSecret(db.prisma, { bot: s.principal, input: read(s.secret.name) }))).code).toBe("bot_frozen");
    expect((await refusal(listVaultSecrets(db.prisma, { bot: { ...s.principal, frozen: true } }))).code).toBe("bot_frozen");
  });
});

describe("listVaultSecrets and mounts, environments", () => {
  it("lists granted names and scopes (no values, nothing of other orgs), mount-limited grants only through their mount", async () => {
    const s = await seedScenario(db.prisma);
    await updateBotEnv(s.orgId, s.bot.id, "production");
    const { secret: prod, value: prodValue } = await seedSecret(db.prisma, s.orgId, { name: s.secret.name, scope: "production" });
    await seedGrant(db.prisma, s.orgId, s.bot.id, prod.id);
    const { secret: limited } = await seedSecret(db.prisma, s.orgId, { scope: "production" });
    const mount = await transaction(db.prisma, (tx) =>
      createMount(tx, {
        orgId: s.orgId,
        actor: SYSTEM_ACTOR,
        input: createMountSchema.parse({ name: "billing", botId: s.bot.id, command: "node", mappings: [{ secret: limited.name, scope: "production", env: "KEY" }], justificationTemplate: "billing server" }),
      }),
    );
    await transaction(db.prisma, (tx) => createGrant(tx, { orgId: s.orgId, actor: SYSTEM_ACTOR, input: { botId: s.bot.id, secretId: limited.id, singleUseOnly: false, mountId: mount.id } }));
    // Another org's grants, and another bot's in this org, stay out.
    await seedScenario(db.prisma);
    const otherBot = await seedBot(db.prisma, s.orgId);
    const { secret: theirs } = await seedSecret(db.prisma, s.orgId);
    await seedGrant(db.prisma, s.orgId, otherBot.bot.id, theirs.id);
    const bot = { ...s.principal };

    const plain = await listVaultSecrets(db.prisma, { bot });
    expect(plain).toEqual({
      environment: "production",
      secrets: [
        { name: s.secret.name, scope: "default", reference: `{{secret:${s.secret.name}@default}}`, mount: null, revealToAgent: false },
        { name: s.secret.name, scope: "production", reference: `{{secret:${s.secret.name}}}`, mount: null, revealToAgent: false },
      ],
    });
    const viaMount = await listVaultSecrets(db.prisma, { bot, mount: "billing" });
    expect(viaMount.secrets.map((x) => x.name)).toContain(limited.name);
    expect(viaMount.secrets.find((x) => x.name === limited.name)).toMatchObject({ mount: "billing", reference: `{{secret:${limited.name}}}` });
    expect(JSON.stringify([plain, viaMount])).not.toContain(s.value);
    expect(JSON.stringify([plain, viaMount])).not.toContain(prodValue);

    // vault.read follows the same rules: the environment's scope by default, the mount's grant only through it.
    expect(await readVaultSecret(db.prisma, { bot, input: read(s.secret.name) })).toMatchObject({ scope: "production", reference: `{{secret:${s.secret.name}}}` });
    expect(await readVaultSecret(db.prisma, { bot, input: read(s.secret.name, { scope: "default" }) })).toMatchObject({ scope: "default", reference: `{{secret:${s.secret.name}@default}}` });
    expect((await refusal(readVaultSecret(db.prisma, { bot, input: read(limited.name) }))).code).toBe("permission_denied");
    expect(await readVaultSecret(db.prisma, { bot, input: read(limited.name, { mount: "billing" }) })).toMatchObject({ reference: `{{secret:${limited.name}}}`, revealed: false });
    const last = (await events(s.orgId)).at(-1)!;
    expect(last.data).toMatchObject({ mount: "billing" });
  });

  it("writes the scope out when a mount of the bot maps the name in another scope (the relay would lease that one)", async () => {
    const s = await seedScenario(db.prisma);
    const { secret: prod } = await seedSecret(db.prisma, s.orgId, { name: s.secret.name, scope: "production" });
    await seedGrant(db.prisma, s.orgId, s.bot.id, prod.id);
    expect((await readVaultSecret(db.prisma, { bot: s.principal, input: read(s.secret.name) })).reference).toBe(`{{secret:${s.secret.name}}}`);
    await transaction(db.prisma, (tx) =>
      createMount(tx, {
        orgId: s.orgId,
        actor: SYSTEM_ACTOR,
        input: createMountSchema.parse({ name: "deploy", botId: s.bot.id, command: "node", mappings: [{ secret: s.secret.name, scope: "production", env: "KEY" }], justificationTemplate: "deploy server" }),
      }),
    );
    expect((await readVaultSecret(db.prisma, { bot: s.principal, input: read(s.secret.name) })).reference).toBe(`{{secret:${s.secret.name}@default}}`);
    expect((await readVaultSecret(db.prisma, { bot: s.principal, input: read(s.secret.name, { scope: "production" }) })).reference).toBe(`{{secret:${s.secret.name}@production}}`);
    const listed = await listVaultSecrets(db.prisma, { bot: s.principal });
    expect(listed.secrets.map((x) => x.reference)).toEqual([`{{secret:${s.secret.name}@default}}`, `{{secret:${s.secret.name}@production}}`]);
  });
});

function updateBotEnv(orgId: string, id: string, environment: string) {
  return transaction(db.prisma, (tx) => updateBot(tx, { orgId, id, actor: SYSTEM_ACTOR, input: { environment } }));
}
