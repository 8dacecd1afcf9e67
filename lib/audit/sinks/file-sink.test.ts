// The file sink on a real directory: one JSON line per event, fdatasync'ed before
// write() resolves, rotation by size keeping N files, and a torn last line closed off
// before the next batch.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileSink, type FileSinkStep } from "./file-sink";
import type { SinkRecord } from "./sink-record";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "rv-file-sink-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function record(seq: number, extra: Partial<SinkRecord> = {}): SinkRecord {
  return {
    orgId: "org_test",
    seq,
    id: `evt_${seq}`,
    type: "lease.granted",
    actorType: "bot",
    actorId: "bot_1",
    botId: "bot_1",
    secretId: null,
    secretName: "KEY",
    scope: "production",
    secretVersion: 1,
    leaseId: null,
    justification: "Reconcile the ledger ✓",
    outcome: "success",
    reason: null,
    ip: "127.0.0.1",
    data: { n: seq },
    createdAt: "2026-11-28T10:00:00.000Z",
    sealedAt: "2026-11-28T10:00:00.050Z",
    prevHash: "0".repeat(64),
    hash: "a".repeat(64),
    ...extra,
  };
}

const lines = (file: string) => readFileSync(file, "utf8").split("\n").filter(Boolean);

describe("FileSink", () => {
  it("appends one JSON line per event and syncs each batch before it resolves", async () => {
    const file = path.join(dir, "nested", "audit.jsonl");
    const steps: (FileSinkStep & { linesOnDisk?: number })[] = [];
    const sink = new FileSink({ name: "local", path: file, rotateBytes: 0, keep: 5 }, (s) => steps.push(s));

    await sink.write([record(1), record(2, { checkpoint: { seq: 2, hash: "a".repeat(64), signature: "sig" } })]);
    // Resolved: the batch is in the file, and the last steps were its write then its sync.
    expect(lines(file).map((l) => JSON.parse(l))).toEqual([record(1), record(2, { checkpoint: { seq: 2, hash: "a".repeat(64), signature: "sig" } })]);
    expect(steps.map((s) => s.step)).toEqual(["write", "sync", "sync-dir"]);

    const pending = sink.write([record(3)]);
    const before = steps.length;
    await pending;
    expect(steps.slice(before).map((s) => s.step)).toEqual(["write", "sync"]);
    expect(lines(file).map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3]);
    // Audit data is not for other users of the machine.
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it("queues concurrent batches: each lands whole and in the order written", async () => {
    const file = path.join(dir, "audit.jsonl");
    const sink = new FileSink({ name: "local", path: file, rotateBytes: 0, keep: 5 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => sink.write([record(i * 3 + 1), record(i * 3 + 2), record(i * 3 + 3)])));
    expect(lines(file).map((l) => JSON.parse(l).seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it("rotates by size after the previous batch is synced, keeping N files and dropping the oldest", async () => {
    const file = path.join(dir, "audit.jsonl");
    const lineBytes = Buffer.byteLength(JSON.stringify(record(10)) + "\n");
    const steps: FileSinkStep[] = [];
    // Room for two one-event batches per file.
    const sink = new FileSink({ name: "local", path: file, rotateBytes: lineBytes * 2 + 10, keep: 2 }, (s) => steps.push(s));
    for (let seq = 10; seq < 17; seq++) await sink.write([record(seq)]);

    // 7 batches of one: files hold [16], [14, 15], [12, 13]; [10, 11] fell off with keep=2.
    expect(readdirSync(dir).sort()).toEqual(["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"]);
    expect(lines(file).map((l) => JSON.parse(l).seq)).toEqual([16]);
    expect(lines(`${file}.1`).map((l) => JSON.parse(l).seq)).toEqual([14, 15]);
    expect(lines(`${file}.2`).map((l) => JSON.parse(l).seq)).toEqual([12, 13]);
    for (const f of [file, `${file}.1`, `${file}.2`]) expect(statSync(f).size).toBeLessThanOrEqual(lineBytes * 2 + 10);

    // Every rotation comes after a sync of what it moves, and its renames are synced
    // (sync-dir) before the next batch is written into the new file.
    const order = steps.map((s) => s.step).join(",");
    expect(order.match(/rotate/g)).toHaveLength(3);
    expect(order).not.toMatch(/write,rotate|rotate,write/);
    expect(order).toMatch(/^write,sync,sync-dir,write,sync,rotate,sync-dir,write,sync,sync-dir,/);
  });

  it("never splits a batch: one bigger than rotateBytes goes whole into a fresh file", async () => {
    const file = path.join(dir, "audit.jsonl");
    const sink = new FileSink({ name: "local", path: file, rotateBytes: 100, keep: 3 });
    await sink.write([record(1)]);
    await sink.write([record(2), record(3), record(4)]);
    expect(lines(file).map((l) => JSON.parse(l).seq)).toEqual([2, 3, 4]);
    expect(lines(`${file}.1`).map((l) => JSON.parse(l).seq)).toEqual([1]);
  });

  it("closes a line torn by a crash before writing, so the next batch's first line stays whole", async () => {
    const file = path.join(dir, "audit.jsonl");
    const whole = JSON.stringify(record(1)) + "\n";
    writeFileSync(file, whole + JSON.stringify(record(2)).slice(0, 40));
    const sink = new FileSink({ name: "local", path: file, rotateBytes: 0, keep: 5 });
    await sink.write([record(2), record(3)]);
    const parsed = readFileSync(file, "utf8").split("\n").filter(Boolean).flatMap((l) => {
      try {
        return [JSON.parse(l).seq];
      } catch {
        return [];
      }
    });
    expect(parsed).toEqual([1, 2, 3]);
  });

  it("fails (and so keeps the cursor) when the file cannot be written", async () => {
    writeFileSync(path.join(dir, "blocker"), "");
    const sink = new FileSink({ name: "local", path: path.join(dir, "blocker", "audit.jsonl"), rotateBytes: 0, keep: 5 });
    await expect(sink.write([record(1)])).rejects.toMatchObject({ code: expect.stringMatching(/ENOTDIR|EEXIST/) });
  });
});
