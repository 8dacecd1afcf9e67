// Keyset paging of the leases list: every lease exactly once across pages in both
// directions, the counted position and total, sorting by a column of the lease and
// of its bot, filters, and nothing from another organization.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { issueLease, seedBot, seedGrant, seedScenario } from "../../test/fixtures";
import { requestLeaseSchema } from "../validations/lease";
import { leasePageQuerySchema } from "../validations/lease";
import { listLeasesPage } from "./list-leases-page";

let db: TestDatabase;
let orgId: string;
const ids: string[] = [];
const botNames = new Map<string, string>();

beforeAll(async () => {
  db = await createTestDatabase();
  const s = await seedScenario(db.prisma);
  orgId = s.orgId;
  const other = await seedBot(db.prisma, orgId);
  await seedGrant(db.prisma, orgId, other.bot.id, s.secret.id);
  botNames.set(s.bot.id, s.bot.name).set(other.bot.id, other.bot.name);
  for (let i = 0; i < 13; i++) {
    const bot = i % 3 === 0 ? other.principal : s.principal;
    const lease = await issueLease(db.prisma, { bot, input: requestLeaseSchema.parse({ secret: s.secret.name, justification: `Paging test lease number ${i}` }) });
    ids.push(lease.id);
  }
  // Another organization's leases never show up.
  const stranger = await seedScenario(db.prisma);
  await issueLease(db.prisma, { bot: stranger.principal, input: requestLeaseSchema.parse({ secret: stranger.secret.name, justification: "Someone else's lease entirely" }) });
});
afterAll(async () => {
  await db?.drop();
});

async function walk(query: Parameters<typeof listLeasesPage>[1]) {
  const pages = [];
  let cursor: string | undefined;
  do {
    const page = await listLeasesPage(db.prisma, { ...query, cursor });
    pages.push(page);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return pages;
}

describe("listLeasesPage", () => {
  it("pages forward through every lease once, with positions and the total", async () => {
    const pages = await walk({ orgId, limit: 5 });
    expect(pages.map((p) => p.rows.length)).toEqual([5, 5, 3]);
    expect(pages.map((p) => p.start)).toEqual([0, 5, 10]);
    expect(pages.every((p) => p.total === 13)).toBe(true);
    const seen = pages.flatMap((p) => p.rows.map((r) => r.id));
    expect(new Set(seen).size).toBe(13);
    expect([...seen].sort()).toEqual([...ids].sort());
    // Newest first by default.
    const created = pages.flatMap((p) => p.rows.map((r) => r.createdAt.getTime()));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(pages[0].prevCursor).toBeNull();
    expect(pages[2].nextCursor).toBeNull();
  });

  it("pages back to exactly the page before", async () => {
    const pages = await walk({ orgId, limit: 5 });
    const back = await listLeasesPage(db.prisma, { orgId, limit: 5, cursor: pages[2].prevCursor! });
    expect(back.rows.map((r) => r.id)).toEqual(pages[1].rows.map((r) => r.id));
    expect(back.start).toBe(5);
    const first = await listLeasesPage(db.prisma, { orgId, limit: 5, cursor: back.prevCursor! });
    expect(first.rows.map((r) => r.id)).toEqual(pages[0].rows.map((r) => r.id));
    expect(first.prevCursor).toBeNull();
  });

  it("sorts by the bot's name, ties broken by id, in both directions", async () => {
    for (const direction of ["asc", "desc"] as const) {
      const rows = (await walk({ orgId, limit: 4, sort: "botName", direction })).flatMap((p) => p.rows);
      expect(rows).toHaveLength(13);
      const keys = rows.map((r) => `${r.botName}|${r.id}`);
      const sorted = [...keys].sort();
      expect(keys).toEqual(direction === "asc" ? sorted : sorted.reverse());
      expect(rows.every((r) => r.botName === botNames.get(r.botId))).toBe(true);
    }
  });

  it("filters by bot and counts only the matching leases", async () => {
    const botId = [...botNames.keys()][1];
    const page = await listLeasesPage(db.prisma, { orgId, botId, limit: 2 });
    expect(page.total).toBe(5);
    expect(page.rows.every((r) => r.botId === botId)).toBe(true);
  });

  it("reads a malformed cursor as the first page and never selects the token hash", async () => {
    const page = await listLeasesPage(db.prisma, { orgId, limit: 3, cursor: "not-a-cursor" });
    expect(page.start).toBe(0);
    expect(page.rows[0]).not.toHaveProperty("tokenHash");
  });

  it("parses the page's query string with defaults and refuses unknown sorts", () => {
    expect(leasePageQuerySchema.parse({})).toMatchObject({ sort: "createdAt", direction: "desc", limit: 50 });
    expect(leasePageQuerySchema.safeParse({ sort: "tokenHash" }).success).toBe(false);
  });
});

describe("listLeasesPage by status", () => {
  it("pages an enum column in its declared order", async () => {
    const rows = (await walk({ orgId, limit: 4, sort: "status", direction: "asc" })).flatMap((p) => p.rows);
    expect(new Set(rows.map((r) => r.id)).size).toBe(13);
  });
});
