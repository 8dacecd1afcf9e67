// The bots list: search, paging with counts, org scoping and "last used".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { issueLease, seedBot, seedScenario } from "../../test/fixtures";
import { requestLeaseSchema } from "../validations/lease";
import { listBotsPage } from "./list-bots-page";

let db: TestDatabase;
let s: Awaited<ReturnType<typeof seedScenario>>;

beforeAll(async () => {
  db = await createTestDatabase();
  s = await seedScenario(db.prisma);
  for (let i = 0; i < 4; i++) await seedBot(db.prisma, s.orgId);
  await issueLease(db.prisma, { bot: s.principal, input: requestLeaseSchema.parse({ secret: s.secret.name, justification: "Used once for the last-used column" }) });
  await seedScenario(db.prisma);
});
afterAll(async () => {
  await db?.drop();
});

describe("listBotsPage", () => {
  it("pages the org's bots with counts, and says when each was last used", async () => {
    const first = await listBotsPage(db.prisma, { orgId: s.orgId, limit: 3 });
    const second = await listBotsPage(db.prisma, { orgId: s.orgId, limit: 3, cursor: first.nextCursor! });
    expect([first.total, first.start, second.start, second.rows.length, second.nextCursor]).toEqual([5, 0, 3, 2, null]);
    const rows = [...first.rows, ...second.rows];
    const used = rows.find((r) => r.id === s.bot.id)!;
    expect(used.lastUsedAt).toBeInstanceOf(Date);
    expect(used).toMatchObject({ grantCount: 1, activeLeaseCount: 1 });
    expect(rows.filter((r) => r.id !== s.bot.id).every((r) => r.lastUsedAt === null)).toBe(true);
    expect(rows[0]).not.toHaveProperty("tokenHash");
  });

  it("searches by name", async () => {
    const page = await listBotsPage(db.prisma, { orgId: s.orgId, q: s.bot.name.toUpperCase() });
    expect(page.rows.map((r) => r.id)).toEqual([s.bot.id]);
    expect(page.total).toBe(1);
  });
});
