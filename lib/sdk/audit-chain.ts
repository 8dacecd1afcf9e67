// The audit chain's hash and its offline check, shared by the server (which seals and
// verifies the chain in the database) and the bot-side CLI (which verifies exports and
// archive files with no database and no server). Pure: node:crypto only, nothing from
// the server, so an auditor can read exactly what is hashed.
//
// Each org's events form a chain: seq 1, 2, 3… with no gaps, hash = sha256(prevHash,
// "\n", canonical content), the first prevHash being GENESIS_HASH (or, after an archive,
// the hash of the last archived event).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export interface ChainedFields {
  id: string;
  orgId: string;
  type: string;
  actorType: string;
  actorId: string | null;
  botId: string | null;
  secretId: string | null;
  secretName: string | null;
  scope: string | null;
  secretVersion: number | null;
  leaseId: string | null;
  justification: string | null;
  outcome: string;
  reason: string | null;
  ip: string | null;
  data: unknown;
  createdAt: Date;
}

/** JSON with object keys sorted, so jsonb's reordering cannot change the hash. */
function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, stable((value as Record<string, unknown>)[k])]),
    );
  }
  return value ?? null;
}

export function canonicalEvent(e: ChainedFields): string {
  return JSON.stringify([
    "rv-audit/v1",
    e.id,
    e.orgId,
    e.type,
    e.actorType,
    e.actorId,
    e.botId,
    e.secretId,
    e.secretName,
    e.scope,
    e.secretVersion,
    e.leaseId,
    e.justification,
    e.outcome,
    e.reason,
    e.ip,
    stable(e.data),
    e.createdAt.toISOString(),
  ]);
}

export function chainHash(prevHash: string, e: ChainedFields): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalEvent(e)).digest("hex");
}

// ---------------------------------------------------------------------------------
// Records as exported (`format=jsonl`) and archived: JSON lines, one object each.

/** A point of an org's chain: its seq (also the number of events up to it) and hash. */
export interface ChainPoint {
  seq: bigint;
  hash: string;
}

/** A sealed event with its place in the chain, every field exactly as hashed. */
export interface ChainEvent extends ChainedFields {
  seq: bigint;
  prevHash: string;
  hash: string;
  /** The signed checkpoint at this event (the last of a sealed batch), else null. */
  signature: string | null;
  sealedAt: Date | null;
}

/** A signed checkpoint: HMAC of (org, seq, hash) under the vault's checkpoint key. */
export interface ChainCheckpoint extends ChainPoint {
  orgId: string;
  signature?: string;
  signedAt?: string;
}

export type ChainLine =
  | { kind: "event"; event: ChainEvent }
  | { kind: "checkpoint"; checkpoint: ChainCheckpoint }
  | { kind: "header"; header: Record<string, unknown> }
  | { kind: "trailer"; trailer: Record<string, unknown> };

export class ChainFormatError extends Error {}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** One event as a line (with its newline); `seq` is a decimal string, as in the anchor file. */
export function chainEventLine(e: ChainEvent): string {
  return (
    JSON.stringify({
      kind: "event",
      orgId: e.orgId,
      seq: String(e.seq),
      id: e.id,
      type: e.type,
      actorType: e.actorType,
      actorId: e.actorId,
      botId: e.botId,
      secretId: e.secretId,
      secretName: e.secretName,
      scope: e.scope,
      secretVersion: e.secretVersion,
      leaseId: e.leaseId,
      justification: e.justification,
      outcome: e.outcome,
      reason: e.reason,
      ip: e.ip,
      data: e.data ?? null,
      createdAt: iso(e.createdAt),
      sealedAt: iso(e.sealedAt),
      prevHash: e.prevHash,
      hash: e.hash,
      signature: e.signature,
    }) + "\n"
  );
}

/** A checkpoint as a line; `extra` (e.g. an archive's event count) is written after it. */
export function chainCheckpointLine(c: ChainCheckpoint, extra: Record<string, unknown> = {}): string {
  const { orgId, seq, hash, signature, signedAt } = c;
  return JSON.stringify({ kind: "checkpoint", orgId, seq: String(seq), hash, signature, signedAt, ...extra }) + "\n";
}

export const pointJson = (p: ChainPoint) => ({ seq: String(p.seq), hash: p.hash });

const HASH = /^[0-9a-f]{64}$/;

function seqOf(value: unknown, what: string): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^\d{1,19}$/.test(value)) return BigInt(value);
  throw new ChainFormatError(`${what} is not a sequence number`);
}

export function parsePoint(value: unknown, what: string): ChainPoint {
  const raw = value as Record<string, unknown> | null;
  if (!raw || typeof raw !== "object" || typeof raw.hash !== "string" || !HASH.test(raw.hash)) throw new ChainFormatError(`${what} has no valid hash`);
  return { seq: seqOf(raw.seq, `${what}'s seq`), hash: raw.hash };
}

function text(raw: Record<string, unknown>, key: string, nullable = true): string | null {
  const v = raw[key];
  if (typeof v === "string") return v;
  if (nullable && (v === null || v === undefined)) return null;
  throw new ChainFormatError(`event field ${key} is ${v === undefined ? "missing" : "not text"}`);
}

function date(raw: Record<string, unknown>, key: string, nullable: boolean): Date | null {
  const v = raw[key];
  if (nullable && (v === null || v === undefined)) return null;
  const d = typeof v === "string" ? new Date(v) : null;
  if (!d || Number.isNaN(d.getTime())) throw new ChainFormatError(`event field ${key} is not a time`);
  return d;
}

/** An event from its JSON object (an export's or archive's line, or a sink's). */
export function parseChainEvent(raw: Record<string, unknown>): ChainEvent {
  const version = raw.secretVersion;
  if (version !== null && version !== undefined && !Number.isSafeInteger(version)) throw new ChainFormatError("event field secretVersion is not an integer");
  const prevHash = text(raw, "prevHash", false)!;
  const hash = text(raw, "hash", false)!;
  if (!HASH.test(prevHash) || !HASH.test(hash)) throw new ChainFormatError("event hashes are not sha256 hex");
  return {
    orgId: text(raw, "orgId", false)!,
    seq: seqOf(raw.seq, "event seq"),
    id: text(raw, "id", false)!,
    type: text(raw, "type", false)!,
    actorType: text(raw, "actorType", false)!,
    actorId: text(raw, "actorId"),
    botId: text(raw, "botId"),
    secretId: text(raw, "secretId"),
    secretName: text(raw, "secretName"),
    scope: text(raw, "scope"),
    secretVersion: (version as number | null | undefined) ?? null,
    leaseId: text(raw, "leaseId"),
    justification: text(raw, "justification"),
    outcome: text(raw, "outcome", false)!,
    reason: text(raw, "reason"),
    ip: text(raw, "ip"),
    data: raw.data ?? null,
    createdAt: date(raw, "createdAt", false)!,
    sealedAt: date(raw, "sealedAt", true),
    prevHash,
    hash,
    signature: text(raw, "signature"),
  };
}

export function parseChainCheckpoint(raw: Record<string, unknown>, what = "checkpoint"): ChainCheckpoint {
  if (typeof raw.orgId !== "string" || raw.orgId === "") throw new ChainFormatError(`${what} names no org`);
  return {
    orgId: raw.orgId,
    ...parsePoint(raw, what),
    ...(typeof raw.signature === "string" ? { signature: raw.signature } : {}),
    ...(typeof raw.signedAt === "string" ? { signedAt: raw.signedAt } : {}),
  };
}

/**
 * One line of an export or archive. A line without `kind` that carries a chain position
 * (prevHash and hash) is an event, so event lines shipped by other tools verify too.
 */
export function parseChainLine(line: string): ChainLine {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new ChainFormatError("line is not JSON");
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new ChainFormatError("line is not a JSON object");
  const obj = raw as Record<string, unknown>;
  const kind = obj.kind ?? ("prevHash" in obj ? "event" : undefined);
  switch (kind) {
    case "event":
      return { kind: "event", event: parseChainEvent(obj) };
    case "checkpoint":
      return { kind: "checkpoint", checkpoint: parseChainCheckpoint(obj) };
    case "header":
      return { kind: "header", header: obj };
    case "trailer":
      return { kind: "trailer", trailer: obj };
    default:
      throw new ChainFormatError(`unknown line kind ${JSON.stringify(kind ?? null)}`);
  }
}

// ---------------------------------------------------------------------------------
// Anchors: checkpoints kept outside the database (the server's anchor file, or one
// checkpoint an operator saved). The newest seq per org wins.

/**
 * Checkpoints from an anchor file (JSON lines, as lib/audit/anchor-file.ts writes), a
 * single checkpoint JSON object (pretty-printed or not) or an array of them. An object
 * without `orgId` is kept under "" and applies to the only org being verified.
 */
export function parseAnchors(textContent: string): Map<string, ChainCheckpoint> {
  const newest = new Map<string, ChainCheckpoint>();
  const take = (raw: unknown) => {
    if (!raw || typeof raw !== "object") return;
    const obj = raw as Record<string, unknown>;
    let point: ChainPoint;
    try {
      point = parsePoint(obj, "checkpoint");
    } catch {
      return; // A torn or foreign line: the others still count.
    }
    const orgId = typeof obj.orgId === "string" ? obj.orgId : "";
    const anchor: ChainCheckpoint = { orgId, ...point, ...(typeof obj.signature === "string" ? { signature: obj.signature } : {}), ...(typeof obj.signedAt === "string" ? { signedAt: obj.signedAt } : {}) };
    const known = newest.get(orgId);
    if (!known || known.seq < anchor.seq) newest.set(orgId, anchor);
  };
  let whole: unknown;
  try {
    whole = JSON.parse(textContent);
  } catch {
    whole = undefined;
  }
  if (Array.isArray(whole)) whole.forEach(take);
  else if (whole !== undefined) take(whole);
  else {
    for (const line of textContent.split("\n")) {
      if (!line.trim()) continue;
      try {
        take(JSON.parse(line));
      } catch {
        // A line torn by a crash mid-write: the lines before it still count.
      }
    }
  }
  return newest;
}

// ---------------------------------------------------------------------------------
// Signatures, checkable offline by whoever holds the master key.

/** What a checkpoint signature covers (lib/audit/checkpoint-signature.ts signs the same text). */
export const checkpointStatement = (c: { orgId: string; seq: bigint; hash: string }) => `rv-audit-checkpoint/v2|${c.orgId}|${c.seq}|${c.hash}`;
export const CHECKPOINT_MAC_LABEL = "audit-checkpoint";

/** Checks an HMAC made by the vault's key provider (`mac(label, data)`), for a label and its data. */
export type MacCheck = (label: string, data: string, mac: string) => boolean;

/**
 * The key provider's `verifyMac` from master keys (32 bytes each): HMAC-SHA256 under the
 * subkey HMAC(master, "runtime-vault subkey\0mac:" + label), as LocalKeyProvider makes it.
 */
export function macCheckFromMasterKeys(masterKeys: Buffer[]): MacCheck {
  return (label, data, mac) => {
    const given = Buffer.from(mac, "hex");
    for (const key of masterKeys) {
      const subkey = createHmac("sha256", key).update(`runtime-vault subkey\0mac:${label}`).digest();
      const expected = createHmac("sha256", subkey).update(data).digest();
      if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
    }
    return false;
  };
}

// ---------------------------------------------------------------------------------
// The offline walk.

export interface OrgChainResult {
  orgId: string;
  ok: boolean;
  /** Where the walk began: genesis, or a point a file declared (after an archive). */
  start: { seq: string; hash: string; fromGenesis: boolean };
  /** The last event walked (the start when there were none). */
  end: { seq: string; hash: string };
  events: number;
  /**
   * `matched`: the chain passes through the anchor. Otherwise `note` says why it was not
   * checked: an archive alone ends before a newer anchor (only an export, which claims to
   * reach the chain's head, is judged truncated by that).
   */
  anchor: { seq: string; signedAt: string | null; matched: boolean; note?: string } | null;
  /** Checkpoint signatures checked with the key (0 without one). */
  signaturesChecked: number;
  brokenAt?: string;
  reason?: string;
}

export type ChainVerifyResult = ({ ok: true } | { ok: false; orgId: string; brokenAt: string; reason: string }) & {
  events: number;
  orgs: OrgChainResult[];
  /** Whether signatures were checked (a key was given). */
  keyed: boolean;
};

interface OrgState {
  orgId: string;
  start: ChainPoint;
  fromGenesis: boolean;
  pos: ChainPoint;
  events: number;
  anchor: ChainCheckpoint | null;
  anchorMatched: boolean;
  /** Its records claim to reach the chain's head (an export), so ending before the anchor is truncation. */
  head: boolean;
  signatures: number;
  broken: { at: bigint; reason: string } | null;
}

export interface ChainWalkOptions {
  /** Checkpoints kept outside the database (parseAnchors). */
  anchors?: Map<string, ChainCheckpoint>;
  /** With the master keys, the files' checkpoint signatures are checked too (macCheckFromMasterKeys). */
  mac?: MacCheck;
}

/**
 * Walks exported or archived records, each org's oldest to newest, in one pass and
 * constant memory per org: seq contiguous, every event linking to its predecessor and
 * hashing to its content, the file's checkpoints on the chain, and the chain passing
 * through the anchor (reported as altered, truncated/rolled back, or out of range).
 * Records of several files chain on: an archive, the next archive, then an export.
 */
export class ChainWalker {
  private readonly orgs = new Map<string, OrgState>();
  private readonly anchors: Map<string, ChainCheckpoint>;
  private unnamedAnchorOrg: string | null = null;

  constructor(private readonly opts: ChainWalkOptions = {}) {
    this.anchors = opts.anchors ?? new Map();
  }

  private anchorFor(orgId: string): ChainCheckpoint | null {
    const named = this.anchors.get(orgId);
    if (named) return named;
    const unnamed = this.anchors.get("");
    if (!unnamed) return null;
    // A checkpoint saved without its org applies to the one org of the files.
    this.unnamedAnchorOrg ??= orgId;
    return this.unnamedAnchorOrg === orgId ? { ...unnamed, orgId } : null;
  }

  private state(orgId: string, start?: ChainPoint): OrgState {
    let s = this.orgs.get(orgId);
    if (!s) {
      const from = start ?? { seq: 0n, hash: GENESIS_HASH };
      s = { orgId, start: from, fromGenesis: from.seq === 0n, pos: from, events: 0, anchor: this.anchorFor(orgId), anchorMatched: false, head: false, signatures: 0, broken: null };
      this.orgs.set(orgId, s);
      this.atPoint(s, from);
    }
    return s;
  }

  private fail(s: OrgState, at: bigint, reason: string) {
    s.broken ??= { at, reason };
  }

  /** The chain is at `p`: the anchor, if it is there, must agree. */
  private atPoint(s: OrgState, p: ChainPoint) {
    if (s.anchor && s.anchor.seq === p.seq) {
      if (s.anchor.hash === p.hash) s.anchorMatched = true;
      else this.fail(s, p.seq, `event #${p.seq} does not match the anchor: history was altered and re-hashed`);
    }
  }

  /**
   * A file says the org's records in it start after `from` (0/genesis, or an archive's
   * end). Continuing an earlier file, it must start where that one ended.
   */
  declareStart(orgId: string, from: ChainPoint, file = "the file") {
    const known = this.orgs.get(orgId);
    if (!known) {
      this.state(orgId, from);
      return;
    }
    if (known.broken) return;
    if (known.pos.seq !== from.seq || known.pos.hash !== from.hash) {
      this.fail(known, from.seq, `${file} does not continue the chain before it: it starts after #${from.seq}, which ${known.pos.seq === from.seq ? "has another hash there" : `ended at #${known.pos.seq}`}`);
    }
  }

  event(e: ChainEvent) {
    const s = this.state(e.orgId);
    if (s.broken) return;
    const expected = s.pos.seq + 1n;
    if (e.seq < expected) return this.fail(s, e.seq, `two events carry #${e.seq} (an event was inserted or repeated)`);
    if (e.seq !== expected) {
      const missing = e.seq - 1n === expected ? `event #${expected} is missing` : `events #${expected}–#${e.seq - 1n} are missing`;
      const why = s.events === 0 && s.fromGenesis ? "removed, or archived: give the archive before them with --from-archive" : "events were removed";
      return this.fail(s, expected, `${missing} (${why})`);
    }
    if (e.prevHash !== s.pos.hash) return this.fail(s, e.seq, "event does not link to its predecessor (an earlier event was removed, inserted or reordered)");
    if (chainHash(s.pos.hash, e) !== e.hash) return this.fail(s, e.seq, "event content does not match its hash (the event was altered)");
    // The signature an event carries is not checked: events are append-only, so one sealed
    // before a key rotation keeps the old key's signature, which the auditor may not hold.
    // The file's checkpoint lines are (re-)signed with the current key and are checked.
    s.pos = { seq: e.seq, hash: e.hash };
    s.events++;
    this.atPoint(s, s.pos);
  }

  /** A checkpoint the file holds: it must be where the org's records so far end. */
  checkpoint(c: ChainCheckpoint, what = "checkpoint") {
    const s = this.state(c.orgId);
    if (s.broken) return;
    if (c.seq !== s.pos.seq || c.hash !== s.pos.hash) {
      return this.fail(s, c.seq, `the ${what} #${c.seq} does not match the events before it (they end at #${s.pos.seq}${c.seq === s.pos.seq ? " with another hash" : ""})`);
    }
    if (this.opts.mac && c.signature) {
      if (!this.opts.mac(CHECKPOINT_MAC_LABEL, checkpointStatement(c), c.signature)) return this.fail(s, c.seq, `the ${what} #${c.seq} has an invalid signature`);
      s.signatures++;
    }
  }

  line(l: ChainLine) {
    if (l.kind === "event") this.event(l.event);
    else if (l.kind === "checkpoint") this.checkpoint(l.checkpoint);
  }

  /** The position an org's walk has reached (undefined: none of its records seen). */
  position(orgId: string): ChainPoint | undefined {
    return this.orgs.get(orgId)?.pos;
  }

  /**
   * The org's records claim to run up to its chain's head (an export does; an archive
   * holds only a range): an anchor after their end is then a truncation or rollback.
   */
  claimHead(orgId: string) {
    this.state(orgId).head = true;
  }

  finish(): ChainVerifyResult {
    if (this.anchors.has("") && this.orgs.size > 1) {
      const [first] = this.orgs.values();
      this.fail(first, 0n, "the anchor names no org and the records hold several: save the checkpoint with its orgId");
    }
    const orgs: OrgChainResult[] = [];
    let events = 0;
    for (const s of this.orgs.values()) {
      events += s.events;
      let note: string | undefined;
      if (s.anchor && !s.broken && !s.anchorMatched) {
        if (s.anchor.seq > s.pos.seq) {
          if (s.head) {
            this.fail(s, s.anchor.seq, s.events === 0 && s.fromGenesis
              ? `the chain was wiped: no events, but the anchor holds #${s.anchor.seq}`
              : `the records end at #${s.pos.seq} before the anchor's #${s.anchor.seq}: events were removed (truncated or rolled back)`);
          } else note = `after these records (the export that continues them reaches it)`;
        } else if (s.head) {
          this.fail(s, s.anchor.seq, `the anchor's #${s.anchor.seq} is before these records (they start after #${s.start.seq}): give the archive that holds it (--from-archive) to check it`);
        } else note = `before these records (an earlier archive holds it)`;
      }
      orgs.push({
        orgId: s.orgId,
        ok: !s.broken,
        start: { ...pointJson(s.start), fromGenesis: s.fromGenesis },
        end: pointJson(s.pos),
        events: s.events,
        anchor: s.anchor ? { seq: String(s.anchor.seq), signedAt: s.anchor.signedAt ?? null, matched: s.anchorMatched, ...(note ? { note } : {}) } : null,
        signaturesChecked: s.signatures,
        ...(s.broken ? { brokenAt: String(s.broken.at), reason: s.broken.reason } : {}),
      });
    }
    const broken = orgs.find((o) => !o.ok);
    const keyed = Boolean(this.opts.mac);
    return broken
      ? { ok: false, orgId: broken.orgId, brokenAt: broken.brokenAt!, reason: broken.reason!, events, orgs, keyed }
      : { ok: true, events, orgs, keyed };
  }
}

/**
 * Verifies exported records (ChainLine, or events alone) with no database: per org, seq
 * contiguous from genesis (or from `from`, e.g. an archive's end), prevHash links,
 * hashes recompute, and, given an anchor, the chain passes through it (records ending
 * before it were truncated or rolled back; an anchor before `from` cannot be checked).
 */
export function verifyChainRecords(
  records: Iterable<ChainLine | ChainEvent>,
  opts: ChainWalkOptions & { anchor?: ChainCheckpoint | Map<string, ChainCheckpoint>; from?: Map<string, ChainPoint> } = {},
): ChainVerifyResult {
  const anchors = opts.anchor instanceof Map ? opts.anchor : opts.anchor ? new Map([[opts.anchor.orgId, opts.anchor]]) : opts.anchors;
  const walker = new ChainWalker({ ...opts, anchors });
  for (const [orgId, from] of opts.from ?? []) walker.declareStart(orgId, from);
  for (const r of records) {
    const orgId = "kind" in r && typeof r.kind === "string" ? ((r as ChainLine).kind === "event" ? (r as { event: ChainEvent }).event.orgId : (r as ChainLine).kind === "checkpoint" ? (r as { checkpoint: ChainCheckpoint }).checkpoint.orgId : null) : (r as ChainEvent).orgId;
    if (orgId) walker.claimHead(orgId);
    if ("kind" in r && typeof r.kind === "string") walker.line(r as ChainLine);
    else walker.event(r as ChainEvent);
  }
  return walker.finish();
}
