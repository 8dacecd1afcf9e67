// The members list: paging with counts, sorting by role, search by email, org scoping.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { seedMember, seedOrg } from "../../test/fixtures";
import { listMembersPage } from "./list-members-page";

let db: TestDatabase;
let orgId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  orgId = (await seedOrg(db.prisma)).orgId;
  for (const role of ["viewer", "security", "admin", "viewer"] as const) await seedMember(db.prisma, orgId, role);
  await seedMember(db.prisma, (await seedOrg(db.prisma)).orgId, "admin");
});
afterAll(async () => {
  await db?.drop();
});

describe("listMembersPage", () => {
  it("pages the org's members by role with counts and no password material", async () => {
    const first = await listMembersPage(db.prisma, { orgId, limit: 3, sort: "role", direction: "asc" });
    const second = await listMembersPage(db.prisma, { orgId, limit: 3, sort: "role", direction: "asc", cursor: first.nextCursor! });
    expect([first.total, second.start, second.rows.length]).toEqual([5, 3, 2]);
    // Roles sort in their declared order: owner, admin, security, viewer.
    expect([...first.rows, ...second.rows].map((r) => r.role)).toEqual(["owner", "admin", "security", "viewer", "viewer"]);
    expect(first.rows[0]).not.toHaveProperty("passwordHash");
  });

  it("searches by email", async () => {
    const all = await listMembersPage(db.prisma, { orgId });
    const one = all.rows.find((r) => r.role === "security")!;
    const page = await listMembersPage(db.prisma, { orgId, q: one.email.slice(0, 12) });
    expect(page.rows.map((r) => r.id)).toEqual([one.id]);
  });
});
