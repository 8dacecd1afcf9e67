// The two files an auditor verifies offline, read line by line into one ChainWalker:
//
// - a chain export (GET /api/v1/audit/export?format=jsonl): a header naming the org and
//   where its chain starts (genesis, or the archive base), its events oldest first, and
//   the org's signed checkpoint last;
// - an archive file (npm run audit:archive): a header listing the archived partitions and
//   each org's starting point, every archived event (by org, then seq), one checkpoint
//   line per org (the end of its archived range, signed), and a trailer holding the
//   sha256 digest of every byte before it, the end checkpoints again, and an HMAC over
//   both under the vault's key ("audit-archive" label). Without the key the chain is
//   still fully checked; only the signatures are not.
//
// Files given one after another continue each other's chains (an archive, the next
// archive, then an export of what remains). Pure: node:crypto only.
import { createHash, type Hash } from "node:crypto";
import {
  ChainFormatError,
  GENESIS_HASH,
  parseChainCheckpoint,
  parseChainLine,
  parsePoint,
  type ChainCheckpoint,
  type ChainWalker,
  type MacCheck,
} from "./audit-chain";

export const ARCHIVE_FORMAT = "rv-audit-archive/v1";
export const CHAIN_EXPORT_FORMAT = "rv-audit-chain/v1";
export const ARCHIVE_MAC_LABEL = "audit-archive";

/** What the archive trailer's signature covers: the digest and every org's end checkpoint. */
export function archiveStatement(digest: string, checkpoints: { orgId: string; seq: bigint; hash: string }[]): string {
  return `${ARCHIVE_FORMAT}|${digest}|${checkpoints.map((c) => `${c.orgId}:${c.seq}:${c.hash}`).join(",")}`;
}

export interface FileCheckResult {
  file: string;
  kind: "archive" | "export";
  /** A problem with the file itself (not the chain): incomplete, digest mismatch, bad signature, unreadable line. */
  problem: string | null;
  /** The archive's own signature: "valid", "invalid", or "unchecked" (no key given); null for exports, which have none. */
  signature: "valid" | "invalid" | "unchecked" | null;
  lines: number;
  events: number;
  orgs: string[];
  /** The archive's header (partitions, range), for display. */
  header: Record<string, unknown> | null;
}

abstract class FileCheck {
  protected lineNo = 0;
  protected events = 0;
  protected problem: string | null = null;
  protected header: Record<string, unknown> | null = null;
  protected readonly orgs = new Set<string>();

  constructor(
    protected readonly walker: ChainWalker,
    protected readonly file: string,
    protected readonly mac?: MacCheck,
  ) {}

  protected fail(reason: string) {
    this.problem ??= `${this.file}, line ${this.lineNo}: ${reason}`;
  }

  /** One line's bytes, without its newline. */
  abstract line(raw: Buffer): void;
}

/** An export (or any JSON lines of events): an optional header, events, checkpoints. */
export class ExportFileCheck extends FileCheck {
  line(raw: Buffer) {
    this.lineNo++;
    if (this.problem) return;
    const text = raw.toString("utf8");
    if (!text.trim()) return;
    let parsed;
    try {
      parsed = parseChainLine(text);
    } catch (err) {
      return this.fail(err instanceof ChainFormatError ? err.message : String(err));
    }
    if (parsed.kind === "header") {
      if (this.lineNo !== 1) return this.fail("a header after the first line");
      this.header = parsed.header;
      if (parsed.header.format !== undefined && parsed.header.format !== CHAIN_EXPORT_FORMAT) {
        return this.fail(`not a chain export (format ${JSON.stringify(parsed.header.format)}; archives go with --archive)`);
      }
      if (typeof parsed.header.orgId === "string") {
        this.orgs.add(parsed.header.orgId);
        try {
          this.walker.declareStart(parsed.header.orgId, parsed.header.from === undefined ? { seq: 0n, hash: GENESIS_HASH } : parsePoint(parsed.header.from, "the header's start"), this.file);
        } catch (err) {
          return this.fail((err as Error).message);
        }
        this.walker.claimHead(parsed.header.orgId);
      }
      return;
    }
    if (parsed.kind === "trailer") return this.fail("a trailer in an export (is this an archive file? use --archive)");
    const orgId = parsed.kind === "event" ? parsed.event.orgId : parsed.checkpoint.orgId;
    if (parsed.kind === "event") this.events++;
    this.orgs.add(orgId);
    this.walker.claimHead(orgId);
    this.walker.line(parsed);
  }

  finish(): FileCheckResult {
    return { file: this.file, kind: "export", problem: this.problem, signature: null, lines: this.lineNo, events: this.events, orgs: [...this.orgs], header: this.header };
  }
}

/** An archive file: header, events, end checkpoints, trailer (digest + signature). */
export class ArchiveFileCheck extends FileCheck {
  private readonly digest: Hash = createHash("sha256");
  private readonly declared = new Set<string>();
  private readonly checkpoints: ChainCheckpoint[] = [];
  private trailer: Record<string, unknown> | null = null;
  private signature: FileCheckResult["signature"] = "unchecked";

  line(raw: Buffer) {
    this.lineNo++;
    if (this.problem) return;
    if (this.trailer) return this.fail("lines after the trailer");
    let parsed;
    try {
      parsed = parseChainLine(raw.toString("utf8"));
    } catch (err) {
      return this.fail(err instanceof ChainFormatError ? err.message : String(err));
    }
    if (parsed.kind === "trailer") return this.readTrailer(parsed.trailer);
    this.digest.update(raw).update("\n");
    if (this.lineNo === 1) {
      if (parsed.kind !== "header" || parsed.header.format !== ARCHIVE_FORMAT) return this.fail(`not an audit archive (its first line is no ${ARCHIVE_FORMAT} header)`);
      this.header = parsed.header;
      const orgs = Array.isArray(parsed.header.orgs) ? (parsed.header.orgs as Record<string, unknown>[]) : [];
      for (const o of orgs) {
        if (typeof o?.orgId !== "string") return this.fail("the header lists an org without an id");
        try {
          this.walker.declareStart(o.orgId, parsePoint(o.from, `the header's start of ${o.orgId}`), this.file);
        } catch (err) {
          return this.fail((err as Error).message);
        }
        this.declared.add(o.orgId);
      }
      return;
    }
    if (parsed.kind === "header") return this.fail("a second header");
    const orgId = parsed.kind === "event" ? parsed.event.orgId : parsed.checkpoint.orgId;
    if (!this.declared.has(orgId)) return this.fail(`a record of ${orgId}, which the header does not list`);
    this.orgs.add(orgId);
    if (parsed.kind === "event") {
      if (this.checkpoints.some((c) => c.orgId === orgId)) return this.fail(`an event of ${orgId} after its end checkpoint`);
      this.events++;
    } else {
      if (this.checkpoints.some((c) => c.orgId === orgId)) return this.fail(`a second end checkpoint of ${orgId}`);
      this.checkpoints.push(parsed.checkpoint);
    }
    this.walker.line(parsed);
  }

  private readTrailer(trailer: Record<string, unknown>) {
    this.trailer = trailer;
    const digest = this.digest.digest("hex");
    if (trailer.digest !== digest) return this.fail("the file's content does not match the digest in its trailer (altered after it was written)");
    if (trailer.lines !== this.lineNo - 1) return this.fail(`the trailer counts ${String(trailer.lines)} lines before it, the file has ${this.lineNo - 1}`);
    let listed: ChainCheckpoint[];
    try {
      listed = (Array.isArray(trailer.checkpoints) ? trailer.checkpoints : []).map((c) => parseChainCheckpoint(c as Record<string, unknown>, "trailer checkpoint"));
    } catch (err) {
      return this.fail((err as Error).message);
    }
    const same = (a: ChainCheckpoint[], b: ChainCheckpoint[]) => a.length === b.length && a.every((c, i) => c.orgId === b[i].orgId && c.seq === b[i].seq && c.hash === b[i].hash);
    if (!same(listed, this.checkpoints)) return this.fail("the trailer's checkpoints are not the file's end checkpoints");
    const missing = [...this.declared].find((o) => !this.checkpoints.some((c) => c.orgId === o));
    if (missing) return this.fail(`no end checkpoint for ${missing}`);
    if (this.mac) {
      const ok = typeof trailer.signature === "string" && this.mac(ARCHIVE_MAC_LABEL, archiveStatement(digest, listed), trailer.signature);
      this.signature = ok ? "valid" : "invalid";
      if (!ok) this.fail("the archive's signature is invalid: not written with the vault's key, or altered and re-digested");
    }
  }

  finish(): FileCheckResult {
    if (!this.trailer && !this.problem) {
      this.lineNo++;
      this.fail(this.lineNo === 1 ? "the file is empty" : "the file is incomplete: it has no trailer (cut short, or still being written)");
    }
    return { file: this.file, kind: "archive", problem: this.problem, signature: this.signature, lines: this.lineNo, events: this.events, orgs: [...this.declared], header: this.header };
  }
}
