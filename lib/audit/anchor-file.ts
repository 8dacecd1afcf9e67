// The audit anchor: the newest signed checkpoint of each org's chain, kept in a file
// outside the database (RV_AUDIT_ANCHOR_FILE, by default audit-anchor.jsonl in the data
// directory). Someone who can write the database can delete or roll back the checkpoint
// row and re-hash the events behind it; they cannot move this file. verify compares the
// chain with it, and the sealer refuses to extend a chain that is behind it.
//
// Append-only JSON lines, one checkpoint each; the newest per org (highest seq) wins
// whatever order the lines are in, so several processes may append to one file and the
// anchor still only moves forward. Now and then the file is compacted to one line per org.
import { mkdir, open, readFile, rename, stat } from "node:fs/promises";
import path from "node:path";

export interface Anchor {
  orgId: string;
  seq: bigint;
  hash: string;
  signature: string;
  signedAt: string;
}

const COMPACT_AT_BYTES = 4 * 1024 * 1024;

export function parseAnchorLines(text: string): Map<string, Anchor> {
  const newest = new Map<string, Anchor>();
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(line);
    } catch {
      continue; // A line torn by a crash mid-write: the lines before it still count.
    }
    if (typeof raw.orgId !== "string" || typeof raw.hash !== "string" || typeof raw.seq !== "string" || !/^\d+$/.test(raw.seq)) continue;
    const anchor: Anchor = { orgId: raw.orgId, seq: BigInt(raw.seq), hash: raw.hash, signature: String(raw.signature ?? ""), signedAt: String(raw.signedAt ?? "") };
    const known = newest.get(anchor.orgId);
    if (!known || known.seq < anchor.seq) newest.set(anchor.orgId, anchor);
  }
  return newest;
}

export const anchorLine = (a: Anchor) =>
  JSON.stringify({ v: 1, orgId: a.orgId, seq: String(a.seq), hash: a.hash, signature: a.signature, signedAt: a.signedAt }) + "\n";

export class AnchorFile {
  private pending = new Map<string, Anchor>();
  private flushing: Promise<void> | null = null;
  private cache: { size: number; mtimeMs: number; anchors: Map<string, Anchor> } | null = null;

  constructor(readonly file: string) {}

  /** Notes a newly signed checkpoint; written (and fsynced) together with others noted meanwhile. */
  record(anchor: Anchor): Promise<void> {
    const known = this.pending.get(anchor.orgId);
    if (!known || known.seq < anchor.seq) this.pending.set(anchor.orgId, anchor);
    return (this.flushing ??= this.flush().finally(() => (this.flushing = null)));
  }

  private async flush(): Promise<void> {
    await Promise.resolve();
    while (this.pending.size > 0) {
      const batch = [...this.pending.values()];
      this.pending.clear();
      await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const handle = await open(this.file, "a", 0o600);
      try {
        await handle.write(batch.map(anchorLine).join(""));
        await handle.datasync();
      } finally {
        await handle.close();
      }
      if ((await stat(this.file)).size > COMPACT_AT_BYTES) await this.compact();
    }
  }

  /** One line per org, written beside the file and renamed over it. */
  private async compact(): Promise<void> {
    const anchors = await this.readAll();
    const tmp = `${this.file}.${process.pid}.tmp`;
    const handle = await open(tmp, "w", 0o600);
    try {
      await handle.write([...anchors.values()].map(anchorLine).join(""));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.file);
  }

  /** Every org's newest anchor, from the file (re-read only when it changed). */
  async readAll(): Promise<Map<string, Anchor>> {
    let info;
    try {
      info = await stat(this.file);
    } catch {
      return new Map();
    }
    if (this.cache && this.cache.size === info.size && this.cache.mtimeMs === info.mtimeMs) return this.cache.anchors;
    const anchors = parseAnchorLines(await readFile(this.file, "utf8"));
    this.cache = { size: info.size, mtimeMs: info.mtimeMs, anchors };
    return anchors;
  }

  async newest(orgId: string): Promise<Anchor | null> {
    return (await this.readAll()).get(orgId) ?? null;
  }

  /** Waits for checkpoints noted so far to reach the disk. */
  async settle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }
}

const KEY = Symbol.for("runtime-vault.audit-anchor");
const g = globalThis as typeof globalThis & { [KEY]?: AnchorFile | null };

/**
 * The process's anchor file: RV_AUDIT_ANCHOR_FILE ("off" for none), else
 * audit-anchor.jsonl in RV_DATA_DIR (default .data) for the app server. Outside the
 * server (tests, scripts) there is none unless the variable names one.
 */
export function getAnchorFile(env: Record<string, string | undefined> = process.env): AnchorFile | null {
  if (g[KEY] !== undefined) return g[KEY];
  const configured = env.RV_AUDIT_ANCHOR_FILE;
  let file: string | null = null;
  if (configured && configured !== "off") file = path.resolve(configured);
  else if (!configured && env.NEXT_RUNTIME) file = path.join(path.resolve(env.RV_DATA_DIR || ".data"), "audit-anchor.jsonl");
  return (g[KEY] = file ? new AnchorFile(file) : null);
}
