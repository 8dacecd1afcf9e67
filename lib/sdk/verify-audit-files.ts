// Offline verification of audit files, with no database and no server: archive files
// first (oldest first), then an export of the chain that remains, walked as one chain
// per org and checked against the anchors an operator kept. Used by
// `runtime-vault audit verify --export/--archive` and by the archive command, which
// re-reads every file it writes before it drops anything.
import { createReadStream } from "node:fs";
import { ChainWalker, type ChainCheckpoint, type ChainVerifyResult, type MacCheck } from "./audit-chain";
import { ArchiveFileCheck, ExportFileCheck, type FileCheckResult } from "./audit-files";

export interface OfflineVerifyOptions {
  /** Archive files, each continuing the one before. */
  archives?: string[];
  /** An export (format=jsonl) continuing the last archive, or from genesis. */
  exportFile?: string;
  anchors?: Map<string, ChainCheckpoint>;
  /** Checks signatures (archives' and checkpoints') with the vault's master keys. */
  mac?: MacCheck;
}

export type OfflineVerifyResult = ({ ok: true } | { ok: false; reason: string; orgId?: string; brokenAt?: string }) & {
  files: FileCheckResult[];
  chain: ChainVerifyResult;
};

/** A file's lines as raw bytes (no newline), streamed: archives can be large. */
export async function* fileLines(file: string): AsyncGenerator<Buffer> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    let data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let at: number;
    while ((at = data.indexOf(0x0a)) !== -1) {
      yield data.subarray(0, at);
      data = data.subarray(at + 1);
    }
    rest = Buffer.from(data);
  }
  if (rest.length) yield rest;
}

export async function verifyAuditFiles(opts: OfflineVerifyOptions): Promise<OfflineVerifyResult> {
  const walker = new ChainWalker({ anchors: opts.anchors, mac: opts.mac });
  const files: FileCheckResult[] = [];
  for (const file of opts.archives ?? []) {
    const check = new ArchiveFileCheck(walker, file, opts.mac);
    for await (const line of fileLines(file)) check.line(line);
    files.push(check.finish());
  }
  if (opts.exportFile) {
    const check = new ExportFileCheck(walker, opts.exportFile, opts.mac);
    for await (const line of fileLines(opts.exportFile)) check.line(line);
    files.push(check.finish());
  }
  const chain = walker.finish();
  const problem = files.find((f) => f.problem);
  if (problem) return { ok: false, reason: problem.problem!, files, chain };
  if (!chain.ok) return { ok: false, reason: chain.reason, orgId: chain.orgId, brokenAt: chain.brokenAt, files, chain };
  return { ok: true, files, chain };
}
