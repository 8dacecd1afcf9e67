// Offline verification (issue 11): an export of the chain (format=jsonl) is checked by
// the CLI, as an auditor runs it, with no database and no server: edited, removed and
// re-hashed events, and an export cut short before the anchor (truncation or rollback).
// The export is made by the same code the API route streams (exportAuditChain) from a
// real database; the files are then tampered with as someone holding them could.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedOrg } from "../test/fixtures";
import { runCli } from "../test/run-process";
import { sqlPool, transaction } from "../lib/db/prisma";
import { AnchorFile } from "../lib/audit/anchor-file";
import { exportAuditChain } from "../lib/audit/export-audit-events";
import { recordAuditEvent, SYSTEM_ACTOR } from "../lib/audit/record-audit-event";
import { sealAuditChain } from "../lib/audit/seal-audit-chain";
import { chainHash, chainEventLine, parseChainLine, type ChainEvent } from "../lib/sdk/audit-chain";

let db: TestDatabase;
let dir: string;
let anchor: AnchorFile;
let orgId: string;
/** The export's lines, untouched. */
let lines: string[];
let total: number;

/** The CLI as an auditor runs it: no vault URL, no token, no database. */
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: dir, env: { HOME: dir, ...env } });

async function append(n: number, justification = "offline verify suite") {
  for (let i = 0; i < n; i++) {
    await transaction(db.prisma, (tx) => recordAuditEvent(tx, { orgId, type: "test.append", actor: SYSTEM_ACTOR, justification, data: { i, nested: { b: 1, a: [1, "two"] } } }));
  }
  expect(await sealAuditChain(db.prisma, { orgId, anchor, wait: true })).toMatchObject({ ok: true });
  await anchor.settle();
}

async function exportText(): Promise<string> {
  let text = "";
  for await (const chunk of exportAuditChain(sqlPool(db.prisma), { orgId })) text += chunk;
  return text;
}

function write(name: string, content: string[] | string): string {
  const file = path.join(dir, name);
  writeFileSync(file, Array.isArray(content) ? content.join("\n") + "\n" : content);
  return file;
}

const eventAt = (ls: string[], seq: number) => ls.findIndex((l) => l.includes(`"kind":"event"`) && l.includes(`"seq":"${seq}"`));

beforeAll(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), "rv-offline-"));
  anchor = new AnchorFile(path.join(dir, "audit-anchor.jsonl"));
  ({ orgId } = await seedOrg(db.prisma));
  await append(6, "first batch");
  await append(6, "second batch");
  lines = (await exportText()).trimEnd().split("\n");
  total = lines.filter((l) => l.includes(`"kind":"event"`)).length;
});
afterAll(async () => {
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the chain export", () => {
  it("holds a header, every event oldest first with all chained fields, and the signed checkpoint last", async () => {
    const parsed = lines.map(parseChainLine);
    expect(parsed[0]).toMatchObject({ kind: "header", header: { format: "rv-audit-chain/v1", orgId, from: { seq: "0" } } });
    const events = parsed.filter((l): l is { kind: "event"; event: ChainEvent } => l.kind === "event").map((l) => l.event);
    expect(events.map((e) => Number(e.seq))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const checkpoint = await db.prisma.auditCheckpoint.findUniqueOrThrow({ where: { orgId } });
    expect(parsed.at(-1)).toMatchObject({ kind: "checkpoint", checkpoint: { orgId, seq: checkpoint.seq, hash: checkpoint.hash, signature: checkpoint.signature } });
    // Exactly as the database holds them: the same hashes, recomputable from the lines alone.
    const rows = await db.prisma.auditEvent.findMany({ where: { orgId }, orderBy: { seq: "asc" }, select: { seq: true, hash: true, signature: true } });
    expect(events.map((e) => [e.seq, e.hash, e.signature])).toEqual(rows.map((r) => [r.seq, r.hash, r.signature]));
    for (const e of events) expect(chainHash(e.prevHash, e)).toBe(e.hash);
  });
});

describe("runtime-vault audit verify --export, offline", () => {
  it("verifies a good export, and against the anchor file", async () => {
    const file = write("good.jsonl", lines);
    const plain = await cli(["audit", "verify", "--export", file]);
    expect(plain).toMatchObject({ code: 0, stderr: "" });
    expect(plain.stdout).toMatch(new RegExp(`^ok: ${total} event\\(s\\) of 1 org\\(s\\) verified offline; signatures not checked \\(no key given`));
    expect(plain.stdout).toContain(`${orgId}: #1–#${total} from genesis`);

    const anchored = await cli(["audit", "verify", "--export", file, "--anchor", anchor.file]);
    expect(anchored.code).toBe(0);
    expect(anchored.stdout).toMatch(/^ok: .* verified offline, against the anchor;/);
    expect(anchored.stdout).toContain(`anchor #${total}`);
    expect(anchored.stdout).toContain("matched");

    // With the master key, the checkpoint's signature is checked too.
    const keyed = await cli(["audit", "verify", "--export", file], { RV_MASTER_KEY: process.env.RV_MASTER_KEY! });
    expect(keyed).toMatchObject({ code: 0, stdout: expect.stringMatching(/checkpoint signatures valid \(1\)/) });
    const otherKey = await cli(["audit", "verify", "--export", file], { RV_MASTER_KEY: Buffer.alloc(32, 7).toString("base64") });
    expect(otherKey).toMatchObject({ code: 1, stdout: expect.stringMatching(new RegExp(`^BROKEN at seq ${total} .*invalid signature`)) });

    const json = JSON.parse((await cli(["audit", "verify", "--export", file, "--json"])).stdout);
    expect(json).toMatchObject({ ok: true, chain: { events: total, orgs: [{ orgId, ok: true, end: { seq: String(total) } }] } });
  });

  it("reports an edited event", async () => {
    const edited = [...lines];
    const at = edited.findIndex((l) => l.includes('"justification":"second batch"'));
    const seq = Number((parseChainLine(edited[at]) as { event: ChainEvent }).event.seq);
    edited[at] = edited[at].replace('"justification":"second batch"', '"justification":"nothing to see here"');
    const run = await cli(["audit", "verify", "--export", write("edited.jsonl", edited)]);
    expect(run).toMatchObject({ code: 1, stdout: expect.stringMatching(new RegExp(`^BROKEN at seq ${seq} \\(org_\\w+\\): event content does not match its hash \\(the event was altered\\)`)) });
  });

  it("reports a removed event, and a removed first event", async () => {
    const removed = lines.filter((_, i) => i !== eventAt(lines, 7));
    expect(await cli(["audit", "verify", "--export", write("removed.jsonl", removed)])).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq 7 .*event #7 is missing \(events were removed\)/),
    });
    const headless = lines.filter((_, i) => i !== eventAt(lines, 1));
    expect(await cli(["audit", "verify", "--export", write("headless.jsonl", headless)])).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq 1 .*event #1 is missing/),
    });
  });

  it("passes a re-hashed history on its own, and reports it against the anchor", async () => {
    // A forger who knows the hash function edits event 3 and recomputes every hash after it,
    // the checkpoint line's too: the file is consistent again.
    let prev: string | null = null;
    const forged = lines.map((line) => {
      const l = parseChainLine(line);
      if (l.kind === "event") {
        const e = { ...l.event, prevHash: prev ?? l.event.prevHash };
        if (e.seq === 3n) e.justification = "forged";
        e.hash = chainHash(e.prevHash, e);
        prev = e.hash;
        return chainEventLine(e).trimEnd();
      }
      if (l.kind === "checkpoint") return JSON.stringify({ kind: "checkpoint", orgId, seq: String(l.checkpoint.seq), hash: prev });
      return line;
    });
    const file = write("rehashed.jsonl", forged);
    expect(await cli(["audit", "verify", "--export", file])).toMatchObject({ code: 0 });
    expect(await cli(["audit", "verify", "--export", file, "--anchor", anchor.file])).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(new RegExp(`^BROKEN at seq ${total} .*event #${total} does not match the anchor: history was altered and re-hashed`)),
    });
    // A checkpoint the operator kept (pretty-printed, without its org) is an anchor too.
    const checkpoint = await db.prisma.auditCheckpoint.findUniqueOrThrow({ where: { orgId } });
    const kept = write("kept-checkpoint.json", JSON.stringify({ seq: String(checkpoint.seq), hash: checkpoint.hash }, null, 2));
    expect(await cli(["audit", "verify", "--export", file, "--anchor", kept])).toMatchObject({ code: 1, stdout: expect.stringMatching(/re-hashed/) });
    expect(await cli(["audit", "verify", "--export", write("good-again.jsonl", lines), "--anchor", kept])).toMatchObject({ code: 0 });
  });

  it("reports an export that ends before the anchor: truncated, or an old export passed off as current", async () => {
    // Cut after event 8: the later events and the checkpoint line are gone.
    const truncated = lines.slice(0, eventAt(lines, 8) + 1);
    const file = write("truncated.jsonl", truncated);
    expect(await cli(["audit", "verify", "--export", file])).toMatchObject({ code: 0 });
    expect(await cli(["audit", "verify", "--export", file, "--anchor", anchor.file])).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(new RegExp(`^BROKEN at seq ${total} .*the records end at #8 before the anchor's #${total}: events were removed \\(truncated or rolled back\\)`)),
    });
    // An export from before the newest events (a rolled-back database exported as it was).
    await append(2, "after the first export");
    expect(await cli(["audit", "verify", "--export", write("old.jsonl", lines), "--anchor", anchor.file])).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(new RegExp(`records end at #${total} before the anchor's #${total + 2}`)),
    });
    expect(await cli(["audit", "verify", "--export", write("new.jsonl", await exportText()), "--anchor", anchor.file])).toMatchObject({ code: 0 });
  });

  it("reports a wiped chain: an export with no events against an anchor", async () => {
    const wiped = write("wiped.jsonl", [lines[0]]);
    expect(await cli(["audit", "verify", "--export", wiped, "--anchor", anchor.file])).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^BROKEN at seq \d+ .*the chain was wiped: no events, but the anchor holds/),
    });
  });

  it("refuses what is not an export, and unreadable input, with a clear message", async () => {
    expect(await cli(["audit", "verify", "--export", write("garbage.jsonl", "not json\n")])).toMatchObject({ code: 1, stdout: expect.stringMatching(/^BROKEN: .*line 1: line is not JSON/) });
    expect(await cli(["audit", "verify", "--export", path.join(dir, "missing.jsonl")])).toMatchObject({ code: 1, stderr: expect.stringMatching(/cannot read .*missing\.jsonl: ENOENT/) });
    expect(await cli(["audit", "verify", "--export", write("x.jsonl", lines), "--anchor", write("empty.json", "{}")])).toMatchObject({ code: 1, stderr: expect.stringMatching(/holds no checkpoint/) });
    expect(await cli(["audit", "verify", "--anchor", anchor.file])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--anchor goes with --export or --archive/) });
    expect(readFileSync(anchor.file, "utf8")).toContain(orgId);
  });
});
