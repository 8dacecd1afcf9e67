// Admin API tokens against a real database: created with an expiry and shown once,
// refused once revoked or expired (with the same null as an unknown token), lastUsedAt
// written at most once a minute, members revoke their own and owners anyone's, other
// orgs' tokens are "not found", and every create and revoke is in the audit chain.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { seedOrg, unique, sealAudit } from "../../test/fixtures";
import { transaction } from "../db/prisma";
import { ApiError } from "../api/errors";
import type { Role } from "../generated/prisma/enums";
import { SYSTEM_ACTOR, type Actor } from "../audit/record-audit-event";
import { verifyAuditChain } from "../audit/verify-audit-chain";
import { authenticateAdmin, LAST_USED_RESOLUTION_MS } from "../auth/authenticate-admin";
import { hashToken } from "../crypto/tokens";
import { bootstrap } from "../orgs/bootstrap";
import { createUser } from "../users/create-user";
import { changeMemberRole } from "../members/change-member-role";
import { removeMember } from "../members/remove-member";
import { createApiTokenSchema, MAX_TOKEN_DAYS } from "../validations/api-token";
import { createApiToken } from "./create-api-token";
import { issueApiToken, MAX_LIVE_TOKENS_PER_MEMBER } from "./issue-api-token";
import { listApiTokens } from "./list-api-tokens";
import { revokeApiToken } from "./revoke-api-token";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const DAY_MS = 86_400_000;

async function addMember(orgId: string, role: Role) {
  return transaction(db.prisma, (tx) => createUser(tx, { orgId, email: `${unique(role + "-")}@example.test`, password: "correct horse battery", role, actor: SYSTEM_ACTOR }));
}

async function mint(orgId: string, userId: string, opts: { name?: string; expiresInDays?: number; createdByTokenId?: string } = {}) {
  const actor: Actor = { type: "user", id: userId };
  return transaction(db.prisma, (tx) => createApiToken(tx, { orgId, userId, name: opts.name ?? unique("tok-"), actor, ...opts }));
}

function revoke(orgId: string, id: string, caller: { userId: string; role: Role }) {
  return transaction(db.prisma, (tx) => revokeApiToken(tx, { orgId, id, caller, actor: { type: "user", id: caller.userId } }));
}

async function codeOf(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err.code;
    throw err;
  }
  throw new Error("expected an ApiError");
}

async function events(orgId: string, type: string) {
  await sealAudit(db.prisma, orgId);
  return db.prisma.auditEvent.findMany({ where: { orgId, type }, orderBy: { seq: "asc" } });
}

describe("createApiToken", () => {
  it("stores only the hash, sets the expiry, and audits the creation without the token", async () => {
    const org = await seedOrg(db.prisma);
    const before = Date.now();
    const created = await mint(org.orgId, org.user.id, { name: "ci-deploy", expiresInDays: 30 });
    expect(created.token).toMatch(/^rva_[A-Za-z0-9_-]{43}$/);
    expect(created.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 30 * DAY_MS);
    expect(created.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 30 * DAY_MS);

    const row = await db.prisma.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.tokenHash).toBe(hashToken(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);

    const [event] = (await events(org.orgId, "api_token.created")).filter((e) => (e.data as { tokenId?: string }).tokenId === created.id);
    expect(event).toMatchObject({ actorType: "user", actorId: org.user.id, data: { tokenId: created.id, userId: org.user.id, name: "ci-deploy" } });
    const eventText = JSON.stringify(event, (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(eventText).not.toContain(created.token);
    expect(eventText).not.toContain(row.tokenHash);

    const principal = await authenticateAdmin(db.prisma, created.token);
    expect(principal).toMatchObject({ userId: org.user.id, orgId: org.orgId, role: "owner", tokenId: created.id });
  });

  it("records the token a token was created with", async () => {
    const org = await seedOrg(db.prisma);
    const parent = await mint(org.orgId, org.user.id, { expiresInDays: 1 });
    const child = await mint(org.orgId, org.user.id, { expiresInDays: 1, createdByTokenId: parent.id });
    expect(child.createdByTokenId).toBe(parent.id);
    const [event] = (await events(org.orgId, "api_token.created")).filter((e) => (e.data as { tokenId?: string }).tokenId === child.id);
    expect(event.data).toMatchObject({ viaTokenId: parent.id });
  });

});

describe("issueApiToken", () => {
  const issue = (orgId: string, userId: string, viaTokenId: string | null = null) =>
    transaction(db.prisma, (tx) =>
      issueApiToken(tx, { orgId, userId, input: createApiTokenSchema.parse({ name: unique("t-") }), viaTokenId, actor: { type: "user", id: userId } }),
    );

  it("gives every member's token the default 90-day expiry and records the token it came through", async () => {
    const org = await seedOrg(db.prisma);
    const seeded = await db.prisma.apiToken.findFirstOrThrow({ where: { userId: org.user.id }, select: { id: true } });
    const issued = await issue(org.orgId, org.user.id, seeded.id);
    expect(issued.expiresAt!.getTime() - Date.now()).toBeGreaterThan(89 * DAY_MS);
    expect(issued.expiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(90 * DAY_MS);
    expect(issued.createdByTokenId).toBe(seeded.id);
  });

  it(`caps a member at ${MAX_LIVE_TOKENS_PER_MEMBER} live tokens, counting neither revoked nor expired ones`, async () => {
    const org = await seedOrg(db.prisma);
    const member = await addMember(org.orgId, "viewer");
    for (let i = 0; i < MAX_LIVE_TOKENS_PER_MEMBER; i++) await issue(org.orgId, member.id);
    expect(await codeOf(issue(org.orgId, member.id))).toBe("conflict");
    // Another member is not held to this one's count.
    await issue(org.orgId, org.user.id);

    const [oldest, second] = await db.prisma.apiToken.findMany({ where: { userId: member.id }, orderBy: { createdAt: "asc" }, take: 2 });
    await revoke(org.orgId, oldest.id, { userId: member.id, role: "viewer" });
    await db.prisma.apiToken.update({ where: { id: second.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await issue(org.orgId, member.id);
    await issue(org.orgId, member.id);
    expect(await codeOf(issue(org.orgId, member.id))).toBe("conflict");
  });
});

describe("createApiTokenSchema", () => {
  it(`defaults to 90 days, allows 1 to ${MAX_TOKEN_DAYS}, and wants a printable name`, () => {
    expect(createApiTokenSchema.parse({ name: " ci " })).toEqual({ name: "ci", expiresInDays: 90 });
    expect(createApiTokenSchema.parse({ name: "ci", expiresInDays: MAX_TOKEN_DAYS }).expiresInDays).toBe(MAX_TOKEN_DAYS);
    for (const bad of [
      { name: "ci", expiresInDays: MAX_TOKEN_DAYS + 1 },
      { name: "ci", expiresInDays: 0 },
      { name: "ci", expiresInDays: 1.5 },
      { name: "ci", expiresInDays: null },
      { name: "   " },
      { name: "x".repeat(101) },
      { name: "line\nbreak" },
      { name: "ci", userId: "usr_000000000000000000000000" },
    ]) {
      expect(createApiTokenSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe("authenticateAdmin", () => {
  it("refuses a revoked token at once, with the same null as an unknown one", async () => {
    const org = await seedOrg(db.prisma);
    const { id, token } = await mint(org.orgId, org.user.id, { expiresInDays: 1 });
    expect(await authenticateAdmin(db.prisma, token)).not.toBeNull();
    await revoke(org.orgId, id, { userId: org.user.id, role: "owner" });
    expect(await authenticateAdmin(db.prisma, token)).toBeNull();
    expect(await authenticateAdmin(db.prisma, "rva_" + "x".repeat(43))).toBeNull();
  });

  it("refuses a token from the moment it expires", async () => {
    const org = await seedOrg(db.prisma);
    const { token, expiresAt } = await mint(org.orgId, org.user.id, { expiresInDays: 1 });
    expect(await authenticateAdmin(db.prisma, token, new Date(expiresAt!.getTime() - 1))).not.toBeNull();
    expect(await authenticateAdmin(db.prisma, token, expiresAt!)).toBeNull();
    // And for real, without a clock passed in.
    await db.prisma.apiToken.update({ where: { tokenHash: hashToken(token) }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect(await authenticateAdmin(db.prisma, token)).toBeNull();
  });

  it("writes lastUsedAt on first use and then at most once a minute", async () => {
    const org = await seedOrg(db.prisma);
    const { id, token } = await mint(org.orgId, org.user.id, { expiresInDays: 1 });
    const lastUsed = async () => (await db.prisma.apiToken.findUniqueOrThrow({ where: { id }, select: { lastUsedAt: true } })).lastUsedAt;
    expect(await lastUsed()).toBeNull();
    const t0 = new Date();
    await authenticateAdmin(db.prisma, token, t0);
    expect(await lastUsed()).toEqual(t0);
    await authenticateAdmin(db.prisma, token, new Date(t0.getTime() + 1_000));
    await authenticateAdmin(db.prisma, token, new Date(t0.getTime() + LAST_USED_RESOLUTION_MS - 1));
    expect(await lastUsed()).toEqual(t0);
    const t1 = new Date(t0.getTime() + LAST_USED_RESOLUTION_MS);
    await authenticateAdmin(db.prisma, token, t1);
    expect(await lastUsed()).toEqual(t1);
  });

  it("never lets a token outrank or outlive its member", async () => {
    const org = await seedOrg(db.prisma);
    const admin = await addMember(org.orgId, "admin");
    const { token } = await mint(org.orgId, admin.id, { expiresInDays: 1 });
    expect((await authenticateAdmin(db.prisma, token))?.role).toBe("admin");
    await transaction(db.prisma, (tx) => changeMemberRole(tx, { orgId: org.orgId, id: admin.id, role: "viewer", actor: org.actor }));
    expect((await authenticateAdmin(db.prisma, token))?.role).toBe("viewer");
    await transaction(db.prisma, (tx) => removeMember(tx, { orgId: org.orgId, id: admin.id, actor: org.actor }));
    expect(await authenticateAdmin(db.prisma, token)).toBeNull();
  });
});

describe("revokeApiToken", () => {
  it("lets any member revoke their own token, once, audited in the chain", async () => {
    const org = await seedOrg(db.prisma);
    const viewer = await addMember(org.orgId, "viewer");
    const { id, token } = await mint(org.orgId, viewer.id, { expiresInDays: 1 });
    const revoked = await revoke(org.orgId, id, { userId: viewer.id, role: "viewer" });
    expect(revoked).toMatchObject({ id, status: "revoked", revokedAt: expect.any(Date) });
    expect(await authenticateAdmin(db.prisma, token)).toBeNull();
    // Again: a no-op, no second event, the first revocation time kept.
    const again = await revoke(org.orgId, id, { userId: viewer.id, role: "viewer" });
    expect(again.revokedAt).toEqual(revoked.revokedAt);
    const recorded = await events(org.orgId, "api_token.revoked");
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ actorType: "user", actorId: viewer.id, data: { tokenId: id, userId: viewer.id } });
    expect(await verifyAuditChain(db.prisma, { orgId: org.orgId })).toMatchObject({ ok: true });
  });

  it("answers not_found to a non-owner revoking someone else's token, and the token keeps working", async () => {
    const org = await seedOrg(db.prisma);
    const admin = await addMember(org.orgId, "admin");
    const security = await addMember(org.orgId, "security");
    const victim = await mint(org.orgId, security.id, { expiresInDays: 1 });
    const ownersToken = await db.prisma.apiToken.findFirstOrThrow({ where: { userId: org.user.id }, select: { id: true } });
    expect(await codeOf(revoke(org.orgId, victim.id, { userId: admin.id, role: "admin" }))).toBe("not_found");
    expect(await codeOf(revoke(org.orgId, ownersToken.id, { userId: security.id, role: "security" }))).toBe("not_found");
    expect(await authenticateAdmin(db.prisma, victim.token)).not.toBeNull();
    expect(await authenticateAdmin(db.prisma, org.adminToken)).not.toBeNull();
    expect(await events(org.orgId, "api_token.revoked")).toHaveLength(0);
  });

  it("lets an owner revoke any member's token in the org", async () => {
    const org = await seedOrg(db.prisma);
    const admin = await addMember(org.orgId, "admin");
    const { id, token } = await mint(org.orgId, admin.id, { expiresInDays: 1 });
    await revoke(org.orgId, id, { userId: org.user.id, role: "owner" });
    expect(await authenticateAdmin(db.prisma, token)).toBeNull();
    expect((await events(org.orgId, "api_token.revoked"))[0]).toMatchObject({ actorId: org.user.id, data: { tokenId: id, userId: admin.id } });
  });

  it("answers not_found to another org's owner and leaves the token alone", async () => {
    const a = await seedOrg(db.prisma);
    const b = await seedOrg(db.prisma);
    const bToken = await db.prisma.apiToken.findFirstOrThrow({ where: { orgId: b.orgId }, select: { id: true } });
    expect(await codeOf(revoke(a.orgId, bToken.id, { userId: a.user.id, role: "owner" }))).toBe("not_found");
    expect(await authenticateAdmin(db.prisma, b.adminToken)).not.toBeNull();
    expect(await events(a.orgId, "api_token.revoked")).toHaveLength(0);
    expect(await events(b.orgId, "api_token.revoked")).toHaveLength(0);
  });

  it("revokes the bootstrap token like any other", async () => {
    // Bootstrap only runs on an empty database: a database of its own.
    const fresh = await createTestDatabase();
    try {
      const apiToken = "rva_" + unique() + "bootstrap-token-long-enough-0123456789";
      const result = await bootstrap(fresh.prisma, { email: "owner@bootstrap.test", password: "a long enough password", apiToken });
      if (!result.created) throw new Error(result.reason);
      expect(await authenticateAdmin(fresh.prisma, apiToken)).toMatchObject({ role: "owner", tokenId: result.apiTokenId });
      const [listed] = await listApiTokens(fresh.prisma, { orgId: result.orgId, userId: result.userId });
      expect(listed).toMatchObject({ id: result.apiTokenId, name: "bootstrap", expiresAt: null, status: "active" });
      await transaction(fresh.prisma, (tx) =>
        revokeApiToken(tx, { orgId: result.orgId, id: result.apiTokenId!, caller: { userId: result.userId, role: "owner" }, actor: { type: "user", id: result.userId } }),
      );
      expect(await authenticateAdmin(fresh.prisma, apiToken)).toBeNull();
    } finally {
      await fresh.drop();
    }
  });
});

describe("listApiTokens", () => {
  it("lists a member's own or the whole org's tokens, with status, and never a token or hash", async () => {
    const org = await seedOrg(db.prisma);
    const other = await seedOrg(db.prisma);
    const viewer = await addMember(org.orgId, "viewer");
    const live = await mint(org.orgId, viewer.id, { name: "live", expiresInDays: 1 });
    const gone = await mint(org.orgId, viewer.id, { name: "gone", expiresInDays: 1 });
    const old = await mint(org.orgId, viewer.id, { name: "old", expiresInDays: 1 });
    await revoke(org.orgId, gone.id, { userId: viewer.id, role: "viewer" });
    await db.prisma.apiToken.update({ where: { id: old.id }, data: { expiresAt: new Date(Date.now() - 1000) } });

    const mine = await listApiTokens(db.prisma, { orgId: org.orgId, userId: viewer.id });
    expect(Object.fromEntries(mine.map((t) => [t.name, t.status]))).toEqual({ live: "active", gone: "revoked", old: "expired" });
    expect(mine.every((t) => t.userId === viewer.id && t.userEmail === viewer.email)).toBe(true);

    const all = await listApiTokens(db.prisma, { orgId: org.orgId });
    expect(new Set(all.map((t) => t.userId))).toEqual(new Set([viewer.id, org.user.id]));

    const text = JSON.stringify(all);
    const hashes = await db.prisma.apiToken.findMany({ where: { orgId: org.orgId }, select: { tokenHash: true } });
    for (const secret of [live.token, gone.token, old.token, org.adminToken, ...hashes.map((h) => h.tokenHash)]) expect(text).not.toContain(secret);
    expect(all.every((t) => !("tokenHash" in t) && !("token" in t))).toBe(true);
    // Nothing of the other org.
    expect(text).not.toContain(other.orgId);
    expect(text).not.toContain(other.user.id);
  });
});
