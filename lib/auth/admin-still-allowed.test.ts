// What a long-lived stream asks every few seconds: does its principal still hold the
// permission? Tokens and sessions, removal, demotion, revocation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { seedMember, seedOrg } from "../../test/fixtures";
import { transaction } from "../db/prisma";
import { removeMember } from "../members/remove-member";
import { changeMemberRole } from "../members/change-member-role";
import { authenticateAdmin } from "./authenticate-admin";
import { adminStillAllowed } from "./admin-still-allowed";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe("adminStillAllowed", () => {
  it("follows the token and its user: revoked, demoted, removed", async () => {
    const owner = await seedOrg(db.prisma);
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => seedMember(db.prisma, owner.orgId, "security")));
    const [pa, pb, pc] = await Promise.all([a, b, c].map(async (m) => (await authenticateAdmin(db.prisma, m.token))!));
    for (const p of [pa, pb, pc]) expect(await adminStillAllowed(db.prisma, p, "audit:read")).toBe(true);
    expect(await adminStillAllowed(db.prisma, pa, "members:write")).toBe(false);

    await db.prisma.apiToken.update({ where: { id: pa.tokenId! }, data: { revokedAt: new Date() } });
    await transaction(db.prisma, (tx) => changeMemberRole(tx, { orgId: owner.orgId, id: b.user.id, role: "viewer", actor: owner.actor }));
    await transaction(db.prisma, (tx) => removeMember(tx, { orgId: owner.orgId, id: c.user.id, actor: owner.actor }));
    expect(await adminStillAllowed(db.prisma, pa, "audit:read")).toBe(false);
    expect(await adminStillAllowed(db.prisma, pb, "audit:read")).toBe(false);
    expect(await adminStillAllowed(db.prisma, pb, "metadata:read")).toBe(true);
    expect(await adminStillAllowed(db.prisma, pc, "audit:read")).toBe(false);
  });

  it("follows a session's user (no token) and its org", async () => {
    const owner = await seedOrg(db.prisma);
    const member = await seedMember(db.prisma, owner.orgId, "admin");
    const session = { userId: member.user.id, orgId: owner.orgId, role: "admin" as const, email: member.user.email, tokenId: null };
    expect(await adminStillAllowed(db.prisma, session, "audit:read")).toBe(true);
    expect(await adminStillAllowed(db.prisma, { ...session, orgId: "org_elsewhere" }, "audit:read")).toBe(false);
    await transaction(db.prisma, (tx) => changeMemberRole(tx, { orgId: owner.orgId, id: member.user.id, role: "viewer", actor: owner.actor }));
    expect(await adminStillAllowed(db.prisma, session, "audit:read")).toBe(false);
  });
});
