// Writes an archive file (format: lib/sdk/audit-files.ts): lines are hashed as they are
// written, the trailer signs the digest and the end checkpoints, and the file appears
// under its name only once complete and on disk (written beside it, fsynced, linked into
// place without replacing an existing file, directory fsynced).
import { createHash } from "node:crypto";
import { link, open, unlink, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { KeyProvider } from "@/lib/crypto/key-provider";
import { chainCheckpointLine, chainEventLine, type ChainCheckpoint, type ChainEvent } from "@/lib/sdk/audit-chain";
import { ARCHIVE_FORMAT, ARCHIVE_MAC_LABEL, archiveStatement } from "@/lib/sdk/audit-files";

const FLUSH_CHARS = 256 * 1024;

export class ArchiveFileWriter {
  private readonly digest = createHash("sha256");
  private lines = 0;
  private buffer = "";

  private constructor(
    private readonly handle: FileHandle,
    private readonly tmp: string,
    readonly file: string,
  ) {}

  /** Refuses to start when `file` exists: an archive is never overwritten. */
  static async create(file: string): Promise<ArchiveFileWriter> {
    const target = path.resolve(file);
    const exists = await open(target, "r").then((h) => h.close().then(() => true), () => false);
    if (exists) throw new Error(`${target} already exists: archives are never overwritten`);
    const tmp = `${target}.${process.pid}.partial`;
    return new ArchiveFileWriter(await open(tmp, "wx", 0o600), tmp, target);
  }

  private async write(line: string) {
    this.digest.update(line);
    this.lines++;
    this.buffer += line;
    if (this.buffer.length >= FLUSH_CHARS) await this.flush();
  }

  private async flush() {
    if (!this.buffer) return;
    await this.handle.write(this.buffer);
    this.buffer = "";
  }

  header(header: { createdAt: string; before: string; partitions: string[]; range: { from: string; to: string }; orgs: { orgId: string; from: { seq: string; hash: string } }[] }) {
    return this.write(JSON.stringify({ kind: "header", format: ARCHIVE_FORMAT, ...header }) + "\n");
  }

  event(e: ChainEvent) {
    return this.write(chainEventLine(e));
  }

  checkpoint(c: ChainCheckpoint, events: number) {
    return this.write(chainCheckpointLine(c, { events }));
  }

  /** The trailer, then fsync and into place. Returns the digest it signed. */
  async finish(keys: KeyProvider, checkpoints: ChainCheckpoint[]): Promise<{ digest: string; signature: string }> {
    const digest = this.digest.digest("hex");
    const list = checkpoints.map((c) => ({ orgId: c.orgId, seq: String(c.seq), hash: c.hash }));
    const signature = keys.mac(ARCHIVE_MAC_LABEL, archiveStatement(digest, checkpoints));
    this.buffer += JSON.stringify({ kind: "trailer", digest, lines: this.lines, checkpoints: list, signature }) + "\n";
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
    await link(this.tmp, this.file); // fails if the name was taken meanwhile
    await unlink(this.tmp);
    const dir = await open(path.dirname(this.file), "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return { digest, signature };
  }

  async abandon() {
    await this.handle.close().catch(() => {});
    await unlink(this.tmp).catch(() => {});
  }
}
