// The audit timeline's paging (seq order, and (createdAt, seq) order for time ranges)
// and the export, which renders rows in SQL and must print exactly what rendering
// Prisma's rows in JavaScript printed.
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { seedOrg } from "../../test/fixtures";
import { ApiError } from "../api/errors";
import { Prisma } from "../generated/prisma/client";
import { AUDIT_CURSOR_MISMATCH, exportAuditQuerySchema, isTimeOrdered, listAuditQuerySchema } from "../validations/audit";
import { CSV_COLUMNS, csvCell, exportAuditEvents } from "./export-audit-events";
import { auditWhere, listAuditEvents, type AuditFilters } from "./list-audit-events";
import { auditEventSelect } from "./present-event";

let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const hex = (n: number) => randomBytes(n).toString("hex");
const iso = (ms: number) => new Date(ms).toISOString();
const BASE = Date.UTC(2021, 2, 14, 9, 0, 0);

type NewEvent = Omit<Prisma.AuditEventCreateManyInput, "id" | "orgId" | "seq" | "sealedAt" | "prevHash" | "hash" | "actorType" | "outcome" | "type"> &
  Partial<Pick<Prisma.AuditEventCreateManyInput, "actorType" | "outcome" | "type">>;

/** Inserted in the given order, so seq follows the array while createdAt is whatever the test says. */
async function insertEvents(orgId: string, events: NewEvent[]) {
  const newest = await db.prisma.auditEvent.findFirst({ where: { orgId }, select: { seq: true }, orderBy: { seq: "desc" } });
  const first = Number(newest?.seq ?? 0n) + 1;
  await db.prisma.auditEvent.createMany({
    data: events.map((e, i) => ({
      type: "lease.granted",
      actorType: "bot" as const,
      outcome: "success" as const,
      ...e,
      id: `evt_${hex(12)}`,
      orgId,
      seq: first + i,
      sealedAt: new Date(),
      prevHash: hex(32),
      hash: hex(32),
    })),
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

// ---------------------------------------------------------------------------------
// The export against the rendering it replaced: Prisma's rows formatted in JavaScript.

type ReferenceRow = Prisma.AuditEventGetPayload<{ select: typeof auditEventSelect }>;

/** Today's names beside the ids: bot names, member emails (the CSV's botName and actorName). */
function withNames(r: ReferenceRow, names: Record<string, string>) {
  const actorName = r.actorId && (r.actorType === "user" || r.actorType === "bot") ? (names[r.actorId] ?? null) : null;
  return { ...r, seq: Number(r.seq), actorName, botName: r.botId ? (names[r.botId] ?? null) : null };
}

function referenceExport(rows: ReferenceRow[], format: "csv" | "json", names: Record<string, string> = {}) {
  if (format === "csv") {
    return CSV_COLUMNS.join(",") + "\r\n" + rows.map((r) => withNames(r, names)).map((r) => CSV_COLUMNS.map((c) => csvCell(r[c])).join(",") + "\r\n").join("");
  }
  return "[" + rows.map((r, i) => (i ? ",\n" : "\n") + JSON.stringify({ ...r, seq: Number(r.seq), createdAt: r.createdAt.toISOString() })).join("") + "\n]\n";
}

async function referenceRows(filters: AuditFilters) {
  return db.prisma.auditEvent.findMany({
    where: auditWhere(filters),
    select: auditEventSelect,
    orderBy: isTimeOrdered(filters) ? [{ createdAt: "desc" }, { seq: "desc" }] : { seq: "desc" },
  });
}

async function exported(filters: AuditFilters, format: "csv" | "json") {
  let text = "";
  for await (const chunk of exportAuditEvents(pool, { ...filters, format })) text += chunk;
  return text;
}

// Cell text that trips quoting, the formula guard, JSON escaping or UTF-8.
const nasty = fc.string({
  unit: fc.constantFrom("=", "+", "-", "@", "\t", "\r", "\n", '"', ",", "'", "\\", "/", "a", "Z", "0", " ", "é", "€", "😀", "\u2028", "\u0001", "\u001f", "\u007f", "%", "_"),
  maxLength: 10,
});
const anyText = fc.string({ unit: "binary", maxLength: 12 }).filter((s) => !s.includes("\u0000") && s.isWellFormed());
const text = fc.oneof(nasty, anyText);
const jsonData = fc.jsonValue({ maxDepth: 2 }).filter((v) => !JSON.stringify(v).includes("\\u0000"));

describe("audit export", () => {
  let orgId: string;
  let botId: string;
  let filters: Record<string, Omit<AuditFilters, "orgId">> = {};

  beforeAll(async () => {
    ({ orgId } = await seedOrg(db.prisma));
    botId = `bot_${hex(12)}`;
    const otherBot = `bot_${hex(12)}`;
    const secretId = `sec_${hex(12)}`;
    const leaseId = `lse_${hex(12)}`;
    const actorId = `usr_${hex(12)}`;
    const random = fc.sample(fc.record({ justification: fc.option(text), reason: fc.option(text), ip: fc.option(text), secretName: fc.option(text), scope: fc.option(text), data: fc.option(jsonData, { nil: undefined }), secretVersion: fc.option(fc.integer({ min: -5, max: 5 })) }), { numRuns: 150, seed: 20261122 });
    const fixed: Omit<NewEvent, "createdAt">[] = [
      { justification: "=HYPERLINK(\"http://evil\")", reason: "+1", ip: "-2", secretName: "@SUM(A1)", scope: "\tx", data: { note: "=1", quote: 'say "hi"' } },
      { justification: "\rstarts with CR", reason: 'a "quoted", comma', ip: "line\nbreak", data: "=plain string data" },
      { justification: "Month-END close 50% done", data: 42.5 },
      { justification: "ab month-end close", data: [1, "two", { three: null }] },
      { justification: "a_b and a-b", data: true },
      { justification: null, data: Prisma.JsonNull },
    ];
    await insertEvents(orgId, [
      ...fixed.map((e, i) => ({ createdAt: new Date(BASE + i), ...e })),
      ...random.map((r, i) => ({
        ...r,
        createdAt: new Date(BASE - 3_600_000 + i * 7),
        data: r.data === undefined ? undefined : r.data === null ? Prisma.JsonNull : (r.data as Prisma.InputJsonValue),
        type: i % 5 ? "lease.granted" : "lease.denied",
        outcome: i % 5 ? ("success" as const) : ("denied" as const),
        botId: i % 2 ? botId : otherBot,
        secretId: i % 3 ? secretId : null,
        leaseId: i % 4 ? null : leaseId,
        actorId: i % 6 ? null : actorId,
      })),
      // More than one batch (1,000) in a single millisecond: the time-ordered keyset must
      // continue inside the tie. Also checks the seq-ordered keyset across batches.
      ...Array.from({ length: 1_200 }, (_, i) => ({ createdAt: new Date(BASE + 60_000), type: i % 2 ? "lease.resolved" : "lease.granted", botId: i % 3 ? botId : otherBot, justification: `run ${i}: month-end close`, data: { i } })),
      // Clock skew: later seq, earlier time.
      { createdAt: new Date(BASE + 59_999), justification: "skewed" },
    ]);
    const range = { from: iso(BASE - 1_000_000), to: iso(BASE + 60_001) };
    filters = {
      everything: {},
      type: { type: "lease.denied" },
      bot: { botId },
      secret: { secretId },
      lease: { leaseId },
      outcome: { outcome: "denied" as const },
      actor: { actorId },
      text: { q: "MONTH-end" },
      "text with wildcards": { q: "50%" },
      "text with underscore": { q: "a_b" },
      "time range": range,
      "range inside the tie": { from: iso(BASE + 60_000), to: iso(BASE + 60_001) },
      from: { from: iso(BASE + 3) },
      to: { to: iso(BASE + 3) },
      "bot, type and range": { botId, type: "lease.resolved", ...range },
      "text and range": { q: "close", ...range },
      // Sub-millisecond digits: both must cut them as JavaScript's Date does.
      "offset instants": { from: "2021-03-14T10:00:00.000+01:00", to: "2021-03-14T10:00:00.0029+01:00" },
    };
  });

  it("prints exactly what formatting Prisma's rows printed, CSV and JSON, for every filter", async () => {
    // One of the bots exists, with a name that needs quoting: the CSV names it beside its id.
    await db.prisma.bot.create({ data: { id: botId, orgId, name: '=ledger "bot", one', tokenHash: hex(32) } });
    const names = { [botId]: '=ledger "bot", one' };
    for (const [name, f] of Object.entries(filters)) {
      const parsed = exportAuditQuerySchema.parse(f);
      const all = { orgId, ...parsed };
      const rows = await referenceRows(all);
      expect(rows.length, name).toBeGreaterThan(0);
      for (const format of ["csv", "json"] as const) {
        const got = await exported(all, format);
        expect(got === referenceExport(rows, format, names), `${name} (${format})`).toBe(true);
      }
    }
    const everything = JSON.parse(await exported({ orgId }, "json"));
    expect(everything.length).toBe(await db.prisma.auditEvent.count({ where: { orgId } }));
    expect(everything.length).toBeGreaterThan(1_300);
  });

  it("defuses formulas and quotes cells as before", async () => {
    const csv = await exported({ orgId, q: "HYPERLINK" }, "csv");
    const row = csv.split("\r\n")[1];
    expect(row).toContain(`,"'=HYPERLINK(""http://evil"")",'+1,'-2,`);
    expect(row).toContain(`,'@SUM(A1),'\tx,`);
    expect(row).toContain(`,"{""note"":""=1"",""quote"":""say \\""hi\\""""}",`);
    const cr = await exported({ orgId, q: "starts with CR" }, "csv");
    expect(cr).toContain(`,"'\rstarts with CR",`);
    expect(cr).toContain(`,"line\nbreak",`);
    expect(cr).toContain(`,'=plain string data,`);
  });

  // The search is for the text typed: `%` and `_` were LIKE wildcards, so q=% matched
  // every justification and q=_ any non-empty one (security review, issue 10).
  it("matches % , _ and \\ in q literally, in the list and the export", async () => {
    const { orgId: own } = await seedOrg(db.prisma);
    await insertEvents(own, [
      { createdAt: new Date(BASE), justification: "Month-END close 50% done" },
      { createdAt: new Date(BASE + 1), justification: "a_b and a-b" },
      { createdAt: new Date(BASE + 2), justification: "C:\\temp\\x" },
      { createdAt: new Date(BASE + 3), justification: "nothing special here" },
    ]);
    const found = async (q: string) => {
      const query = listAuditQuerySchema.parse({ q });
      const listed = (await listAuditEvents(db.prisma, { orgId: own, ...query })).events.map((e) => e.justification).sort();
      const exportedRows = (JSON.parse(await exported({ orgId: own, q: query.q }, "json")) as { justification: string }[]).map((e) => e.justification).sort();
      expect(exportedRows, q).toEqual(listed);
      return listed;
    };
    expect(await found("%")).toEqual(["Month-END close 50% done"]);
    expect(await found("50%")).toEqual(["Month-END close 50% done"]);
    expect(await found("_")).toEqual(["a_b and a-b"]);
    expect(await found("a_b")).toEqual(["a_b and a-b"]);
    expect(await found("\\")).toEqual(["C:\\temp\\x"]);
    expect(await found("%special%")).toEqual([]);
    expect(await found("SPECIAL")).toEqual(["nothing special here"]);
  });

  it("sees the same events in the same order as the paged list", async () => {
    for (const [name, f] of Object.entries(filters)) {
      const stringFilters = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as Record<string, string>;
      const { seqs } = await allPages(orgId, stringFilters, 500);
      const fromExport = (JSON.parse(await exported({ orgId, ...exportAuditQuerySchema.parse(f) }, "json")) as { seq: number }[]).map((e) => e.seq);
      expect(fromExport, name).toEqual(seqs);
    }
  });
});
