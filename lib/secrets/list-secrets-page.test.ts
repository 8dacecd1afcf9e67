// The catalogue list: search by name, sorting, paging with counts, org scoping, and
// never a value.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { seedOrg, seedSecret, unique } from "../../test/fixtures";
import { listSecretsPage } from "./list-secrets-page";

let db: TestDatabase;
let orgId: string;
const tag = unique("").toUpperCase();

beforeAll(async () => {
  db = await createTestDatabase();
  orgId = (await seedOrg(db.prisma)).orgId;
  for (let i = 0; i < 7; i++) await seedSecret(db.prisma, orgId, { name: `${i % 2 ? "BILLING" : "LEDGER"}_${tag}_${i}` });
  const stranger = await seedOrg(db.prisma);
  await seedSecret(db.prisma, stranger.orgId, { name: `BILLING_${tag}_STRANGER` });
});
afterAll(async () => {
  await db?.drop();
});

describe("listSecretsPage", () => {
  it("pages through the org's secrets by name with counts", async () => {
    const first = await listSecretsPage(db.prisma, { orgId, limit: 3 });
    expect(first).toMatchObject({ total: 7, start: 0 });
    const second = await listSecretsPage(db.prisma, { orgId, limit: 3, cursor: first.nextCursor! });
    const third = await listSecretsPage(db.prisma, { orgId, limit: 3, cursor: second.nextCursor! });
    expect([second.start, third.start, third.rows.length, third.nextCursor]).toEqual([3, 6, 1, null]);
    const names = [first, second, third].flatMap((p) => p.rows.map((r) => r.name));
    expect(names).toEqual([...names].sort());
    expect(first.rows[0]).not.toHaveProperty("ciphertext");
    expect(first.rows[0]).toMatchObject({ grantCount: 0, activeLeaseCount: 0 });
  });

  it("searches by name, case-insensitively, within the org only", async () => {
    const page = await listSecretsPage(db.prisma, { orgId, q: `billing_${tag.toLowerCase()}` });
    expect(page.total).toBe(3);
    expect(page.rows.every((r) => r.name.startsWith("BILLING_") && !r.name.endsWith("STRANGER"))).toBe(true);
  });

  it("sorts descending", async () => {
    const page = await listSecretsPage(db.prisma, { orgId, sort: "name", direction: "desc", limit: 2 });
    expect(page.rows[0].name).toBe(`LEDGER_${tag}_6`);
  });
});
