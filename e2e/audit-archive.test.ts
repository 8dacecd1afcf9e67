// Retention at scale (issue 11): `npm run audit:archive -- --before YYYY-MM --out FILE`,
// run as a process against a real database, archives whole past months: the partitions
// are gone, each org's remaining chain verifies from its signed archive base, the file
// verifies offline with the CLI (its signature only with the key), a tampered file or a
// forged archive base is reported, and the sealer carries on from the base.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedOrg } from "../test/fixtures";
import { runCli, runScript } from "../test/run-process";
import { sqlPool, transaction } from "../lib/db/prisma";
import { AnchorFile } from "../lib/audit/anchor-file";
import { ensureAuditPartitions } from "../lib/audit/ensure-audit-partitions";
import { exportAuditChain } from "../lib/audit/export-audit-events";
import { recordAuditEvent, SYSTEM_ACTOR } from "../lib/audit/record-audit-event";
import { sealAuditChain } from "../lib/audit/seal-audit-chain";
import { verifyAuditChain } from "../lib/audit/verify-audit-chain";
import { chainEventLine, chainHash, parseChainLine, type ChainEvent } from "../lib/sdk/audit-chain";
import { ARCHIVE_FORMAT } from "../lib/sdk/audit-files";

let db: TestDatabase;
let sql: pg.Client;
let dir: string;
let anchor: AnchorFile;
const KEY = process.env.RV_MASTER_KEY!;

const now = new Date();
const monthStart = (offset: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
const month = (offset: number) => monthStart(offset).toISOString().slice(0, 7);
const partition = (offset: number) => `AuditEvent_${month(offset).replace("-", "_")}`;
/** The middle of a month before this one. */
const inMonth = (offset: number) => new Date(monthStart(offset).getTime() + 14 * 86_400_000);

const orgs = { a: "", b: "", c: "" };
let archiveFile: string;

async function append(orgId: string, n: number, justification = "archive suite") {
  for (let i = 0; i < n; i++) await transaction(db.prisma, (tx) => recordAuditEvent(tx, { orgId, type: "test.append", actor: SYSTEM_ACTOR, justification, data: { i } }));
}

async function seal(orgId: string, at?: Date) {
  for (;;) {
    const result = await sealAuditChain(db.prisma, { orgId, anchor, wait: true, now: at });
    expect(result).toMatchObject({ ok: true });
    if (!("more" in result) || !result.more) break;
  }
  await anchor.settle();
}

const archive = (args: string[], env: Record<string, string> = {}) =>
  runScript("scripts/archive-audit.ts", args, { DATABASE_URL: db.url, RV_MASTER_KEY: KEY, RV_AUDIT_ANCHOR_FILE: anchor.file, HOME: dir, ...env });
/** The auditor's CLI: no server, no database; the master key only when given. */
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: dir, env: { HOME: dir, ...env } });

async function exportFile(orgId: string, name: string): Promise<string> {
  let text = "";
  for await (const chunk of exportAuditChain(sqlPool(db.prisma), { orgId })) text += chunk;
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function partitionExists(name: string): Promise<boolean> {
  const { rows } = await sql.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [`rv_audit."${name}"`]);
  return rows[0].exists;
}

/** Tampering as the database superuser would: with the triggers out of the way. */
async function asSuperuser(statement: string, params: unknown[] = []) {
  await sql.query("BEGIN");
  await sql.query("SET LOCAL session_replication_role = replica");
  await sql.query(statement, params);
  await sql.query("COMMIT");
}

beforeAll(async () => {
  db = await createTestDatabase();
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  dir = mkdtempSync(path.join(tmpdir(), "rv-archive-"));
  anchor = new AnchorFile(path.join(dir, "audit-anchor.jsonl"));
  archiveFile = path.join(dir, "audit-archive.jsonl");
  await ensureAuditPartitions(db.prisma, inMonth(-2)); // two and one month(s) ago
  // Org a: events sealed two months ago, last month and now; b: last month and now; c: now only.
  orgs.a = (await seedOrg(db.prisma)).orgId;
  await seal(orgs.a, inMonth(-2));
  await append(orgs.a, 3);
  await seal(orgs.a, inMonth(-1));
  await append(orgs.a, 2);
  await seal(orgs.a);
  orgs.b = (await seedOrg(db.prisma)).orgId;
  await append(orgs.b, 1);
  await seal(orgs.b, inMonth(-1));
  await append(orgs.b, 2);
  await seal(orgs.b);
  orgs.c = (await seedOrg(db.prisma)).orgId;
  await seal(orgs.c);
});
afterAll(async () => {
  await sql?.end();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("npm run audit:archive", () => {
  it("refuses bad arguments and months that are not over, and archives nothing", async () => {
    expect(await archive(["--before", month(-2), "--out", archiveFile])).toMatchObject({ code: 0, stdout: expect.stringContaining("nothing to archive") });
    expect(await archive(["--before", month(1), "--out", archiveFile])).toMatchObject({ code: 1, stderr: expect.stringContaining(`only months that are over can be archived: --before is at most ${month(0)}`) });
    expect(await archive(["--before", "2026-13", "--out", archiveFile])).toMatchObject({ code: 1, stderr: expect.stringContaining("--before takes a month as YYYY-MM") });
    expect(await archive(["--out", archiveFile])).toMatchObject({ code: 2, stderr: expect.stringContaining("usage: npm run audit:archive") });
    expect(await partitionExists(partition(-2))).toBe(true);
  });

  it("refuses to archive a chain that does not verify, and leaves everything in place", async () => {
    const checkpoint = await db.prisma.auditCheckpoint.findUniqueOrThrow({ where: { orgId: orgs.b } });
    await asSuperuser(`UPDATE "AuditCheckpoint" SET "signature" = $2 WHERE "orgId" = $1`, [orgs.b, "0".repeat(64)]);
    try {
      const run = await archive(["--before", month(0), "--out", archiveFile]);
      expect(run).toMatchObject({ code: 1, stderr: expect.stringMatching(new RegExp(`audit archive refused: ${orgs.b}: its chain does not verify .*checkpoint signature is invalid.*nothing archived`)) });
      expect(await partitionExists(partition(-2))).toBe(true);
      expect(await partitionExists(partition(-1))).toBe(true);
      expect(await db.prisma.auditArchive.count()).toBe(0);
      expect(() => readFileSync(archiveFile)).toThrow(/ENOENT/);
    } finally {
      await asSuperuser(`UPDATE "AuditCheckpoint" SET "signature" = $2 WHERE "orgId" = $1`, [orgs.b, checkpoint.signature]);
    }
  });

  it("refuses to drop events a configured audit sink has not received yet", async () => {
    const sinks = { RV_AUDIT_SINKS: `file://${path.join(dir, "siem.jsonl")}?name=siem` };
    const run = await archive(["--before", month(0), "--out", archiveFile], sinks);
    expect(run).toMatchObject({ code: 1, stderr: expect.stringMatching(/audit sink siem has received only up to #0 of #\d+; let it catch up first; nothing archived/) });
    expect(await partitionExists(partition(-2))).toBe(true);
    expect(() => readFileSync(archiveFile)).toThrow(/ENOENT/);
  });

  it("archives the months before this one: a signed file, then the partitions dropped, the chains continuing from their archive bases", async () => {
    const counts = async (orgId: string, from: Date, to: Date) => db.prisma.auditEvent.count({ where: { orgId, sealedAt: { gte: from, lt: to } } });
    const archivedA = await counts(orgs.a, monthStart(-2), monthStart(0));
    const archivedB = await counts(orgs.b, monthStart(-2), monthStart(0));
    const totalA = await db.prisma.auditEvent.count({ where: { orgId: orgs.a } });
    expect(archivedA).toBeGreaterThan(3);
    expect(archivedB).toBeGreaterThan(1);
    const hashA = (await db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: orgs.a, seq: archivedA } })).hash;

    const run = await archive(["--before", month(0), "--out", archiveFile]);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toContain(`archived ${archivedA + archivedB} event(s) of 2 org(s) to ${archiveFile}`);
    expect(run.stdout).toContain(`${orgs.a}: #1–#${archivedA}`);

    // The partitions are gone; this month's and the default one stay.
    expect(await partitionExists(partition(-2))).toBe(false);
    expect(await partitionExists(partition(-1))).toBe(false);
    expect(await partitionExists(partition(0))).toBe(true);
    expect(await partitionExists("AuditEvent_default")).toBe(true);
    expect(await db.prisma.auditEvent.count({ where: { orgId: orgs.a } })).toBe(totalA - archivedA);

    // One signed base per archived org, and an audit.archived event in its trail.
    const bases = await db.prisma.auditArchive.findMany({ orderBy: { orgId: "asc" } });
    expect(bases.map((b) => [b.orgId, b.fromSeq, b.throughSeq]).sort()).toEqual([[orgs.a, 1n, BigInt(archivedA)], [orgs.b, 1n, BigInt(archivedB)]].sort());
    expect(bases.find((b) => b.orgId === orgs.a)).toMatchObject({ hash: hashA, file: archiveFile, partitions: [partition(-2), partition(-1)] });
    const pending = await db.prisma.auditPending.findMany({ where: { type: "audit.archived" } });
    expect(pending.map((p) => p.orgId).sort()).toEqual([orgs.a, orgs.b].sort());
    expect(pending.find((p) => p.orgId === orgs.a)?.data).toMatchObject({ fromSeq: 1, throughSeq: archivedA, events: archivedA, hash: hashA, file: archiveFile });

    // Every chain verifies in full from its base (and against the anchor), and keeps sealing.
    for (const orgId of [orgs.a, orgs.b, orgs.c]) {
      const full = await verifyAuditChain(db.prisma, { orgId, anchor, full: true });
      expect(full).toMatchObject({ ok: true });
      expect(await verifyAuditChain(db.prisma, { orgId, anchor })).toMatchObject({ ok: true });
    }
    expect(await verifyAuditChain(db.prisma, { orgId: orgs.a, anchor, full: true })).toMatchObject({
      ok: true,
      checked: totalA,
      walked: totalA - archivedA,
      archived: { throughSeq: archivedA },
    });
    await append(orgs.a, 2, "after the archive");
    await seal(orgs.a);
    await seal(orgs.b);
    expect(await db.prisma.auditEvent.count({ where: { type: "audit.archived" } })).toBe(2);
    expect(await verifyAuditChain(db.prisma, { orgId: orgs.a, anchor, full: true })).toMatchObject({ ok: true, checked: totalA + 3 });
    expect(await verifyAuditChain(db.prisma, { orgId: orgs.b, anchor, full: true })).toMatchObject({ ok: true });
  });

  it("writes an archive file that verifies offline, its signature only with the key", async () => {
    const lines = readFileSync(archiveFile, "utf8").trimEnd().split("\n");
    expect(JSON.parse(lines[0])).toMatchObject({ kind: "header", format: ARCHIVE_FORMAT, before: month(0), partitions: [partition(-2), partition(-1)] });
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ kind: "trailer", lines: lines.length - 1, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const plain = await cli(["audit", "verify", "--archive", archiveFile]);
    expect(plain).toMatchObject({ code: 0, stderr: "" });
    expect(plain.stdout).toMatch(/^ok: \d+ event\(s\) of 2 org\(s\) verified offline; signatures not checked \(no key given: set RV_MASTER_KEY to check them\)/);
    expect(plain.stdout).toContain("signature not checked (no key)");
    const keyed = await cli(["audit", "verify", "--archive", archiveFile], { RV_MASTER_KEY: KEY });
    expect(keyed).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ok: .*signatures valid \(1 archive\(s\), 2 checkpoint\(s\)\)/) });
    // Against the anchor: the archive alone ends before it, which is not a truncation.
    expect(await cli(["audit", "verify", "--archive", archiveFile, "--anchor", anchor.file])).toMatchObject({ code: 0, stdout: expect.stringContaining("after these records") });
  });

  it("verifies an export of the remaining chain from the archive's last checkpoint", async () => {
    const rest = await exportFile(orgs.a, "rest-a.jsonl");
    const header = JSON.parse(readFileSync(rest, "utf8").split("\n")[0]);
    const base = await db.prisma.auditArchive.findFirstOrThrow({ where: { orgId: orgs.a } });
    expect(header).toMatchObject({ orgId: orgs.a, from: { seq: String(base.throughSeq), hash: base.hash } });

    const both = await cli(["audit", "verify", "--export", rest, "--from-archive", archiveFile, "--anchor", anchor.file], { RV_MASTER_KEY: KEY });
    expect(both).toMatchObject({ code: 0 });
    expect(both.stdout).toMatch(new RegExp(`${orgs.a}: #1–#\\d+ from genesis .*anchor #\\d+ .*matched`));
    // Alone, it continues the archive base it names; an anchor inside the archived range then needs the archive.
    expect(await cli(["audit", "verify", "--export", rest])).toMatchObject({ code: 0, stdout: expect.stringContaining(`continuing #${base.throughSeq}`) });
    const old = path.join(dir, "old-anchor.json");
    const second = readFileSync(archiveFile, "utf8").split("\n").find((l) => l.includes(`"orgId":"${orgs.a}","seq":"2"`))!;
    writeFileSync(old, JSON.stringify({ orgId: orgs.a, seq: "2", hash: (parseChainLine(second) as { event: ChainEvent }).event.hash }));
    expect(await cli(["audit", "verify", "--export", rest, "--anchor", old])).toMatchObject({ code: 1, stdout: expect.stringMatching(/anchor's #2 is before these records .*--from-archive/) });
    expect(await cli(["audit", "verify", "--export", rest, "--from-archive", archiveFile, "--anchor", old])).toMatchObject({ code: 0 });
  });

  it("reports a tampered archive file: an edit, a cut, and a re-hashed forgery (caught by the key and by the chain that continues it)", async () => {
    const text = readFileSync(archiveFile, "utf8");
    const lines = text.trimEnd().split("\n");
    const write = (name: string, content: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      return file;
    };
    const edited = lines.map((l, i) => (i === 3 ? l.replace('"type":"', '"type":"x') : l)).join("\n") + "\n";
    expect(await cli(["audit", "verify", "--archive", write("edited.jsonl", edited)])).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN: .*line \d+: the file's content does not match the digest in its trailer/),
    });
    expect(await cli(["audit", "verify", "--archive", write("cut.jsonl", lines.slice(0, -1).join("\n") + "\n")])).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/the file is incomplete: it has no trailer/),
    });

    // A forger edits an event of org a, re-hashes the rest of its archived chain, rewrites
    // its end checkpoint and the trailer with a fresh digest, but cannot sign.
    let prev: string | null = null;
    const forged: string[] = [];
    for (const line of lines.slice(0, -1)) {
      const l = parseChainLine(line);
      if (l.kind === "event" && l.event.orgId === orgs.a) {
        const e: ChainEvent = { ...l.event, prevHash: prev ?? l.event.prevHash };
        if (e.seq === 2n) e.justification = "forged";
        e.hash = chainHash(e.prevHash, e);
        prev = e.hash;
        forged.push(chainEventLine(e).trimEnd());
      } else if (l.kind === "checkpoint" && l.checkpoint.orgId === orgs.a) {
        forged.push(JSON.stringify({ ...JSON.parse(line), hash: prev }));
      } else forged.push(line);
    }
    const { createHash } = await import("node:crypto");
    const body = forged.join("\n") + "\n";
    const trailer = JSON.parse(lines.at(-1)!);
    trailer.digest = createHash("sha256").update(body).digest("hex");
    trailer.checkpoints = trailer.checkpoints.map((c: { orgId: string }) => (c.orgId === orgs.a ? { ...c, hash: prev } : c));
    const forgery = write("forged.jsonl", body + JSON.stringify(trailer) + "\n");

    expect(await cli(["audit", "verify", "--archive", forgery])).toMatchObject({ code: 0, stdout: expect.stringContaining("signatures not checked") });
    expect(await cli(["audit", "verify", "--archive", forgery], { RV_MASTER_KEY: KEY })).toMatchObject({ code: 1, stdout: expect.stringMatching(/BROKEN/) });
    const rest = await exportFile(orgs.a, "rest-a2.jsonl");
    expect(await cli(["audit", "verify", "--export", rest, "--from-archive", forgery])).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/does not continue the chain before it/),
    });
  });

  it("reports an archive base edited or removed in the database", async () => {
    const base = await db.prisma.auditArchive.findFirstOrThrow({ where: { orgId: orgs.b } });
    // The rows are never deleted through the app's access…
    await expect(sql.query(`DELETE FROM "AuditArchive" WHERE "orgId" = $1`, [orgs.b])).rejects.toThrow(/append-only/);
    // …and a superuser's edit is caught by the signature.
    await asSuperuser(`UPDATE "AuditArchive" SET "throughSeq" = "throughSeq" - 1 WHERE "orgId" = $1`, [orgs.b]);
    for (const full of [false, true]) {
      expect(await verifyAuditChain(db.prisma, { orgId: orgs.b, anchor, full })).toMatchObject({ ok: false, reason: expect.stringMatching(/archive base at #\d+ has an invalid signature/) });
    }
    expect(await sealAuditChain(db.prisma, { orgId: orgs.b, anchor, wait: true })).toMatchObject({ ok: true }); // builds on the signed checkpoint, not the base

    // Removed: the full walk starts at genesis again and finds the archived events gone.
    await asSuperuser(`DELETE FROM "AuditArchive" WHERE "orgId" = $1`, [orgs.b]);
    expect(await verifyAuditChain(db.prisma, { orgId: orgs.b, anchor, full: true })).toMatchObject({ ok: false, brokenAt: 1, reason: expect.stringMatching(/event #1 is missing/) });

    // A base copied from another org (same file, a valid signature for *that* org) does not pass either.
    const other = await db.prisma.auditArchive.findFirstOrThrow({ where: { orgId: orgs.a } });
    await asSuperuser(`INSERT INTO "AuditArchive" SELECT $1, "throughSeq", "fromSeq", "hash", "events", "file", "digest", "partitions", "archivedAt", "signature" FROM "AuditArchive" WHERE "orgId" = $2`, [orgs.b, other.orgId]);
    expect(await verifyAuditChain(db.prisma, { orgId: orgs.b, anchor, full: true })).toMatchObject({ ok: false, reason: expect.stringMatching(/invalid signature/) });
    expect(base.signature).not.toBe(other.signature);
  });
});
