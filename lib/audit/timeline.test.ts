// The audit timeline's paging: seq order, and (createdAt, seq) order for time ranges.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { seedOrg } from "../../test/fixtures";
import { ApiError } from "../api/errors";
import type { Prisma } from "../generated/prisma/client";
import { AUDIT_CURSOR_MISMATCH, listAuditQuerySchema } from "../validations/audit";
import { listAuditEvents } from "./list-audit-events";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const hex = (n: number) => randomBytes(n).toString("hex");
const iso = (ms: number) => new Date(ms).toISOString();
const BASE = Date.UTC(2021, 2, 14, 9, 0, 0);

type NewEvent = Omit<Prisma.AuditEventCreateManyInput, "id" | "orgId" | "prevHash" | "hash" | "actorType" | "outcome" | "type"> &
  Partial<Pick<Prisma.AuditEventCreateManyInput, "actorType" | "outcome" | "type">>;

/** Inserted in the given order, so seq follows the array while createdAt is whatever the test says. */
async function insertEvents(orgId: string, events: NewEvent[]) {
  await db.prisma.auditEvent.createMany({
    data: events.map((e) => ({ type: "lease.granted", actorType: "bot" as const, outcome: "success" as const, ...e, id: `evt_${hex(12)}`, orgId, prevHash: hex(32), hash: hex(32) })),
  });
}

async function orgEvents(orgId: string) {
  const rows = await db.prisma.auditEvent.findMany({ where: { orgId }, select: { seq: true, createdAt: true, type: true, justification: true } });
  return rows.map((r) => ({ ...r, seq: Number(r.seq), at: r.createdAt.getTime() }));
}

/** Every page as the API would serve it: query parsed by the route's schema, cursor passed back. */
async function allPages(orgId: string, filters: Record<string, string>, limit: number) {
  const seqs: number[] = [];
  const cursors: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const query = listAuditQuerySchema.parse({ ...filters, limit: String(limit), ...(cursor ? { cursor } : {}) });
    const page = await listAuditEvents(db.prisma, { orgId, ...query });
    expect(page.events.length).toBeLessThanOrEqual(limit);
    seqs.push(...page.events.map((e) => e.seq));
    if (!page.nextCursor) return { seqs, cursors };
    expect(page.events).toHaveLength(limit);
    cursors.push((cursor = page.nextCursor));
  }
  throw new Error("paging did not end");
}

describe("timeline paging", () => {
  it("pages a time range newest first by (createdAt, seq), through ties and clock skew", async () => {
    const { orgId } = await seedOrg(db.prisma);
    const from = BASE, to = BASE + 60_000;
    const events: NewEvent[] = [
      { createdAt: new Date(from - 1), justification: "just before the range" },
      { createdAt: new Date(from), justification: "Month-end CLOSE, first instant" },
      // Five events in one millisecond: pages of 2 and 3 end inside the tie.
      ...Array.from({ length: 5 }, (_, i) => ({ createdAt: new Date(from + 10_000), justification: i % 2 ? "month-end close" : "payroll", type: i % 2 ? "lease.denied" : "lease.granted" })),
      // Later seq, earlier time (another instance's clock): createdAt order differs from seq order.
      { createdAt: new Date(from + 5_000), justification: "skewed month-end close" },
      { createdAt: new Date(from + 30_000), justification: "payroll" },
      ...Array.from({ length: 3 }, () => ({ createdAt: new Date(from + 9_999), justification: "MONTH-END close" })),
      { createdAt: new Date(to - 1), justification: "last instant" },
      { createdAt: new Date(to), justification: "month-end close, at `to`: excluded" },
    ];
    await insertEvents(orgId, events);
    const all = await orgEvents(orgId);
    const bySeq = [...all].sort((a, b) => a.seq - b.seq);
    expect(bySeq.some((e, i) => i > 0 && e.at < bySeq[i - 1].at), "the data has createdAt out of seq order").toBe(true);

    const newestFirst = (xs: typeof all) => [...xs].sort((a, b) => b.at - a.at || b.seq - a.seq).map((e) => e.seq);
    const inRange = all.filter((e) => e.at >= from && e.at < to);
    const cases: { filters: Record<string, string>; expected: number[] }[] = [
      { filters: { from: iso(from), to: iso(to) }, expected: newestFirst(inRange) },
      { filters: { from: iso(from + 10_000) }, expected: newestFirst(all.filter((e) => e.at >= from + 10_000)) },
      { filters: { to: iso(from + 10_000) }, expected: newestFirst(all.filter((e) => e.at < from + 10_000)) },
      { filters: { from: iso(from), to: iso(to), q: "month-end close" }, expected: newestFirst(inRange.filter((e) => /month-end close/i.test(e.justification ?? ""))) },
      { filters: { from: iso(from), to: iso(to), type: "lease.denied" }, expected: newestFirst(inRange.filter((e) => e.type === "lease.denied")) },
    ];
    for (const { filters, expected } of cases) {
      expect(expected.length).toBeGreaterThan(1);
      for (const limit of [1, 2, 3, 100]) {
        const { seqs, cursors } = await allPages(orgId, filters, limit);
        expect(seqs, `${JSON.stringify(filters)} limit ${limit}`).toEqual(expected);
        expect(cursors.every((c) => /^t\d+\.\d+$/.test(c))).toBe(true);
      }
    }
  });

  it("pages a text search newest first by seq, case-insensitively", async () => {
    const { orgId } = await seedOrg(db.prisma);
    await insertEvents(orgId, [
      ...Array.from({ length: 7 }, (_, i) => ({ createdAt: new Date(BASE - i * 1000), justification: ["Quarterly CLOSE of the ledger", "payroll run", "close the quarter"][i % 3] })),
      { createdAt: new Date(BASE + 5), justification: "Enclosed: nothing" },
    ]);
    const expected = (await orgEvents(orgId))
      .filter((e) => /close/i.test(e.justification ?? ""))
      .sort((a, b) => b.seq - a.seq)
      .map((e) => e.seq);
    expect(expected).toHaveLength(6);
    for (const limit of [1, 4, 6, 100]) {
      const { seqs, cursors } = await allPages(orgId, { q: "cLoSe" }, limit);
      expect(seqs).toEqual(expected);
      expect(cursors.every((c) => /^\d+$/.test(c))).toBe(true);
    }
  });

  it("accepts only cursors it hands out, for the ordering they were made for", async () => {
    const { orgId } = await seedOrg(db.prisma);
    const range = { from: iso(BASE), to: iso(BASE + 1000) };
    const issues = (input: Record<string, string>) => {
      const r = listAuditQuerySchema.safeParse(input);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(issues({ cursor: "42" })).toEqual([]);
    expect(issues({ cursor: "9223372036854775807" })).toEqual([]);
    expect(issues({ cursor: "t1615712400000.42", ...range })).toEqual([]);
    for (const bad of ["-1", "abc", "", "9223372036854775808", "t1615712400000", "t.42", "t1615712400000.", "t-5.42", "t999999999999999.1", " 42", "42 "]) {
      expect(issues({ cursor: bad }), bad).not.toEqual([]);
      expect(issues({ cursor: bad, ...range }), bad).not.toEqual([]);
    }
    expect(issues({ cursor: "42", ...range })).toEqual([`cursor: ${AUDIT_CURSOR_MISMATCH}`]);
    expect(issues({ cursor: "t1615712400000.42" })).toEqual([`cursor: ${AUDIT_CURSOR_MISMATCH}`]);
    expect(issues({ cursor: "t1615712400000.42", to: range.to })).toEqual([]);
    // Called without the schema, the list refuses the same way (400).
    for (const [cursor, filters] of [["42", range], ["t1615712400000.42", {}], ["nope", {}]] as const) {
      const err = await listAuditEvents(db.prisma, { orgId, cursor, ...filters }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(400);
    }
  });
});
