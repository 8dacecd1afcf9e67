// The file sink: append-only JSON lines, one event per line. Each batch is written with
// one write and fdatasync'ed before write() resolves (so before the shipper moves its
// cursor); a new file's directory entry and every rotation's renames are fsynced too.
//
// Rotation by size: before a batch would take the file past rotateBytes, the file
// becomes audit.jsonl.1, .1 becomes .2 … up to `keep` (the oldest falls off). A line
// torn by a crash mid-write is closed with a newline before the next batch, so it never
// swallows the first line after it; readers skip a line that does not parse (its events
// were shipped again: the cursor had not moved).
//
// One process writes a given file at a time (writes are queued here). Several app
// instances must not share one file: give each host's file sink its own name.
import { mkdir, open, rename, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { AuditSink } from "./audit-sink";
import type { FileSinkSpec } from "./sink-config";
import type { SinkRecord } from "./sink-record";

/** The steps of a write, in the order they happened (tests watch the order). */
export type FileSinkStep = { step: "write"; bytes: number } | { step: "sync" } | { step: "rotate"; to: string } | { step: "sync-dir" };

export class FileSink implements AuditSink {
  readonly kind = "file";
  readonly name: string;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly spec: Pick<FileSinkSpec, "name" | "path" | "rotateBytes" | "keep">,
    private readonly trace: (step: FileSinkStep) => void = () => {},
  ) {
    this.name = spec.name;
  }

  write(records: SinkRecord[]): Promise<void> {
    const run = this.queue.then(() => this.append(records));
    this.queue = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
  }

  private async append(records: SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    const text = records.map((r) => JSON.stringify(r) + "\n").join("");
    const bytes = Buffer.byteLength(text);
    const { path: file, rotateBytes } = this.spec;
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    let handle = await open(file, "a+", 0o600);
    try {
      let { size } = await handle.stat();
      let created = size === 0;
      if (rotateBytes > 0 && size > 0 && size + bytes > rotateBytes) {
        await handle.close();
        await this.rotate();
        handle = await open(file, "a+", 0o600);
        size = 0;
        created = true;
      }
      const torn = size > 0 && !(await endsWithNewline(handle, size));
      const out = torn ? "\n" + text : text;
      await handle.write(out);
      this.trace({ step: "write", bytes: Buffer.byteLength(out) });
      await handle.datasync();
      this.trace({ step: "sync" });
      if (created) await this.syncDir();
    } finally {
      await handle.close();
    }
  }

  private async rotate(): Promise<void> {
    const { path: file, keep } = this.spec;
    // Oldest first, so nothing is overwritten but the file that falls off the end.
    for (let i = keep - 1; i >= 1; i--) await renameIfExists(`${file}.${i}`, `${file}.${i + 1}`);
    await rename(file, `${file}.1`);
    this.trace({ step: "rotate", to: `${file}.1` });
    await this.syncDir();
  }

  private async syncDir(): Promise<void> {
    const dir = await open(path.dirname(this.spec.path), "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.trace({ step: "sync-dir" });
  }
}

async function endsWithNewline(handle: FileHandle, size: number): Promise<boolean> {
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
