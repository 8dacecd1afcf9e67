// The first-start setup link: one-time, expiring, hashed, replaced on each start, and
// of two browsers racing on it exactly one creates the owner.
import { afterEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { ApiError } from "../api/errors";
import { verifyAuditChain } from "../audit/verify-audit-chain";
import { hashToken } from "../crypto/tokens";
import { bootstrap } from "../orgs/bootstrap";
import { verifyPassword } from "../users/password";
import { completeSetup } from "./complete-setup";
import { issueSetupToken } from "./issue-setup-token";
import { ownerExists } from "./owner-exists";
import { sealAudit } from "../../test/fixtures";

const OWNER = { orgName: "Acme", email: "First.Owner@example.com", password: "first owner password" };

// Each test starts from an empty vault.
let db: TestDatabase | undefined;
async function emptyVault() {
  db = await createTestDatabase();
  return db.prisma;
}
afterEach(async () => {
  await db?.drop();
  db = undefined;
});

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

async function counts(prisma: TestDatabase["prisma"]) {
  await sealAudit(prisma);
  return { orgs: await prisma.organization.count(), users: await prisma.user.count(), events: await prisma.auditEvent.count() };
}

describe("setup link", () => {
  it("creates the org and its owner once, audited, and stores only the token's hash", async () => {
    const prisma = await emptyVault();
    const issued = await issueSetupToken(prisma);
    expect(issued).not.toBeNull();
    const { token, expiresAt } = issued!;
    expect(token.length).toBeGreaterThanOrEqual(43);
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(59 * 60 * 1000);
    expect(expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(60 * 60 * 1000);
    const [row] = await prisma.setupToken.findMany({ select: { tokenHash: true } });
    expect(row.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);

    const result = await completeSetup(prisma, { token, ...OWNER, ip: "203.0.113.7" });
    expect(result.email).toBe("first.owner@example.com");
    const user = await prisma.user.findUniqueOrThrow({ where: { id: result.userId }, select: { role: true, orgId: true, passwordHash: true } });
    expect(user).toMatchObject({ role: "owner", orgId: result.orgId });
    expect(await verifyPassword(OWNER.password, user.passwordHash)).toBe(true);
    expect(await prisma.organization.findUniqueOrThrow({ where: { id: result.orgId }, select: { name: true } })).toEqual({ name: "Acme" });
    expect(await prisma.setupToken.count()).toBe(0);

    await sealAudit(prisma);
    const events = await prisma.auditEvent.findMany({ where: { orgId: result.orgId }, orderBy: { seq: "asc" }, select: { type: true, actorType: true, actorId: true, ip: true, data: true } });
    expect(events.map((e) => e.type)).toEqual(["org.created", "member.created", "org.setup_completed"]);
    expect(events[2]).toMatchObject({ actorType: "user", actorId: result.userId, ip: "203.0.113.7", data: { email: "first.owner@example.com" } });
    expect(JSON.stringify(events)).not.toContain(OWNER.password);
    expect(JSON.stringify(events)).not.toContain(token);
    expect(await verifyAuditChain(prisma, { orgId: result.orgId })).toMatchObject({ ok: true });

    // Used once: the same link again is refused and changes nothing.
    const before = await counts(prisma);
    const again = await refusal(completeSetup(prisma, { token, ...OWNER, email: "second@example.com" }));
    expect(again.code).toBe("conflict");
    expect(await counts(prisma)).toEqual(before);
    // Later starts print no link.
    expect(await issueSetupToken(prisma)).toBeNull();
    expect(await prisma.setupToken.count()).toBe(0);
  });

  it("refuses a wrong token", async () => {
    const prisma = await emptyVault();
    const { token } = (await issueSetupToken(prisma))!;
    const wrong = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect((await refusal(completeSetup(prisma, { token: wrong, ...OWNER }))).code).toBe("not_found");
    expect(await counts(prisma)).toEqual({ orgs: 0, users: 0, events: 0 });
    expect(await ownerExists(prisma)).toBe(false);
  });

  it("refuses an expired token", async () => {
    const prisma = await emptyVault();
    const { token, expiresAt } = (await issueSetupToken(prisma))!;
    const late = new Date(expiresAt.getTime() + 1);
    expect((await refusal(completeSetup(prisma, { token, ...OWNER, now: late }))).code).toBe("not_found");
    expect(await counts(prisma)).toEqual({ orgs: 0, users: 0, events: 0 });
    // Just before its expiry it still works.
    await completeSetup(prisma, { token, ...OWNER, now: new Date(expiresAt.getTime() - 1) });
    expect(await ownerExists(prisma)).toBe(true);
  });

  it("refuses the previous link once a new one is issued (each start prints a new one)", async () => {
    const prisma = await emptyVault();
    const first = (await issueSetupToken(prisma))!;
    const second = (await issueSetupToken(prisma))!;
    expect(second.token).not.toBe(first.token);
    expect(await prisma.setupToken.count()).toBe(1);
    expect((await refusal(completeSetup(prisma, { token: first.token, ...OWNER }))).code).toBe("not_found");
    await completeSetup(prisma, { token: second.token, ...OWNER });
    expect(await ownerExists(prisma)).toBe(true);
  });

  it("lets exactly one of two browsers racing on the link create the owner", async () => {
    const prisma = await emptyVault();
    const { token } = (await issueSetupToken(prisma))!;
    const results = await Promise.allSettled([
      completeSetup(prisma, { token, ...OWNER, email: "alice@example.com" }),
      completeSetup(prisma, { token, ...OWNER, email: "bob@example.com" }),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].reason).toBeInstanceOf(ApiError);
    expect((lost[0].reason as ApiError).code).toBe("conflict");
    expect(await counts(prisma)).toMatchObject({ orgs: 1, users: 1 });
  });

  it("yields to a bootstrap that ran first, and bootstrap yields to a completed setup", async () => {
    const prisma = await emptyVault();
    const { token } = (await issueSetupToken(prisma))!;
    await completeSetup(prisma, { token, ...OWNER });
    expect(await bootstrap(prisma, { email: "boot@example.com", password: "bootstrap password" })).toMatchObject({ created: false });

    const other = await createTestDatabase();
    try {
      const late = (await issueSetupToken(other.prisma))!;
      expect(await bootstrap(other.prisma, { email: "boot@example.com", password: "bootstrap password" })).toMatchObject({ created: true });
      expect((await refusal(completeSetup(other.prisma, { token: late.token, ...OWNER }))).code).toBe("conflict");
      expect(await other.prisma.user.count()).toBe(1);
    } finally {
      await other.drop();
    }
  });
});
