// Checks an org's sealed chain against its signed checkpoint and against the anchor
// file, which lives outside the database (anchor-file.ts).
//
// By default incrementally: the sealer builds every batch from the signed checkpoint
// (seal-audit-chain.ts), so verify checks the checkpoint's signature, the checkpointed
// event itself, and that nothing was added after it or cut before it. Its cost does not
// grow with the trail. `full` walks from genesis instead, re-checking every event (an
// auditor's periodic check, or after suspected tampering with the database).
//
// The anchor catches what a database writer can otherwise hide: a removed or rolled-back
// checkpoint, a truncated or wiped chain, or a re-hashed history (the event at the
// anchor's seq no longer has the anchor's hash). Events recorded but not sealed yet are
// reported as the unsealed tail, not judged.
//
// After an archive (lib/audit/archive) the chain in the database starts at the org's
// signed archive base instead of genesis: the archived events are checked offline, in
// the archive file (`runtime-vault audit verify --archive FILE`).
import type { Db } from "@/lib/db/prisma";
import { getKeyProvider, type KeyProvider } from "@/lib/crypto/key-provider";
import { chainHash } from "./canonical";
import { checkpointSignatureValid } from "./checkpoint-signature";
import { getAnchorFile, type AnchorFile } from "./anchor-file";
import { auditEventSelect } from "./present-event";
import { unsealedTail, type UnsealedTail } from "./unsealed-tail";
import { walkChain } from "./walk-chain";
import { floorFrom } from "./archive/archive-base";

export type VerifyMode = "full" | "incremental";

/**
 * `checked`: sealed events in the chain; `walked`: how many this call recomputed;
 * `anchor`: the anchor it was compared with (null: none for this org here).
 */
export type VerifyResult = ({ ok: true } | { ok: false; brokenAt: number; reason: string }) & {
  checked: number;
  mode: VerifyMode;
  walked: number;
  anchor: { seq: number; signedAt: string } | null;
  unsealed: UnsealedTail;
  /** Events up to `throughSeq` were archived: the chain in the database starts after them. */
  archived: { throughSeq: number; archivedAt: string } | null;
};

export interface VerifyOptions {
  orgId: string;
  keys?: KeyProvider;
  anchor?: AnchorFile | null;
  /** Walk from genesis rather than from the last signed checkpoint. */
  full?: boolean;
}

export async function verifyAuditChain(db: Db, { orgId, keys = getKeyProvider(), anchor = getAnchorFile(), full = false }: VerifyOptions): Promise<VerifyResult> {
  const mode: VerifyMode = full ? "full" : "incremental";
  // The anchor first: whatever it holds was committed before, so the database read after
  // it must include it. Then the checkpoint, the newest event and the archive base in one
  // statement (one snapshot): a batch sealed, or an archive committed, in between must not
  // put one of them ahead of the others. Events sealed after that are not ours to judge.
  const anchored = anchor ? await anchor.newest(orgId) : null;
  const [head] = await db.$queryRaw<
    {
      seq: bigint | null;
      hash: string | null;
      signature: string | null;
      newest: bigint | null;
      base: { orgId: string; fromSeq: string; throughSeq: string; hash: string; digest: string; signature: string; archivedAt: string; file: string } | null;
    }[]
  >`
    SELECT c."seq", c."hash", c."signature", (SELECT max(e."seq") FROM "AuditEvent" e WHERE e."orgId" = ${orgId}) AS "newest",
           (SELECT json_build_object('orgId', a."orgId", 'fromSeq', a."fromSeq"::text, 'throughSeq', a."throughSeq"::text, 'hash', a."hash",
                                     'digest', a."digest", 'signature', a."signature", 'archivedAt', to_char(a."archivedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'file', a."file")
              FROM "AuditArchive" a WHERE a."orgId" = ${orgId} ORDER BY a."throughSeq" DESC LIMIT 1) AS "base"
      FROM (SELECT 1) one LEFT JOIN "AuditCheckpoint" c ON c."orgId" = ${orgId}`;
  const checkpoint = head.seq === null ? null : { seq: BigInt(head.seq), hash: head.hash!, signature: head.signature! };
  const newest = head.newest === null ? null : { seq: BigInt(head.newest) };
  const row = head.base;
  const floor = floorFrom(row && { ...row, fromSeq: BigInt(row.fromSeq), throughSeq: BigInt(row.throughSeq), archivedAt: new Date(row.archivedAt) }, keys);
  const unsealed = await unsealedTail(db, { orgId });
  const floorSeq = floor.ok ? floor.seq : 0n;
  // Where the chain in the database ends: its newest event, or its archive base when every event was archived.
  const end = newest && newest.seq > floorSeq ? newest.seq : floorSeq;
  const top = checkpoint?.seq ?? end;
  const base = {
    checked: Number(top),
    mode,
    unsealed,
    anchor: anchored ? { seq: Number(anchored.seq), signedAt: anchored.signedAt } : null,
    archived: floor.ok && floor.archive ? { throughSeq: Number(floor.archive.throughSeq), archivedAt: floor.archive.archivedAt.toISOString() } : null,
  };
  const broken = (brokenAt: bigint | number, reason: string, walked = 0): VerifyResult => ({ ok: false, brokenAt: Number(brokenAt), reason, walked, ...base });

  if (!floor.ok) return broken(floor.brokenAt, floor.reason);
  if (checkpoint && !checkpointSignatureValid(keys, { orgId, ...checkpoint })) {
    return broken(checkpoint.seq, "checkpoint signature is invalid: it was written without the checkpoint key");
  }
  if (anchored) {
    if (!checkpoint) {
      return end > 0n
        ? broken(anchored.seq, `the signed checkpoint was removed: the anchor holds #${anchored.seq}`)
        : broken(anchored.seq, `the chain was wiped: no events and no checkpoint, but the anchor holds #${anchored.seq}`);
    }
    if (checkpoint.seq < anchored.seq) {
      return broken(anchored.seq, `the chain was rolled back: its signed checkpoint #${checkpoint.seq} is behind the anchor's #${anchored.seq}`);
    }
    if (anchored.seq === floor.seq) {
      if (anchored.hash !== floor.hash) return broken(anchored.seq, `the archive base #${anchored.seq} does not match the anchor: history was altered and re-hashed`);
    } else if (anchored.seq > floor.seq) {
      const at = await db.auditEvent.findFirst({ where: { orgId, seq: anchored.seq }, select: { hash: true } });
      if (!at) return broken(anchored.seq, `the chain was truncated: event #${anchored.seq}, which the anchor holds, is gone`);
      if (at.hash !== anchored.hash) return broken(anchored.seq, `event #${anchored.seq} does not match the anchor: history was altered and re-hashed`);
    } // else: archived; the archive file holds that event and is checked offline against the anchor.
  }
  if (checkpoint) {
    if (end < checkpoint.seq) {
      return broken(checkpoint.seq, `the newest events were removed: the chain ends at #${end} before its signed checkpoint #${checkpoint.seq}`);
    }
    if (end > checkpoint.seq) return broken(checkpoint.seq + 1n, `events after the signed checkpoint #${checkpoint.seq} were inserted`);
  }

  if (full || !checkpoint) {
    const walk = await walkChain(db, { orgId, from: { seq: floor.seq, hash: floor.hash }, to: top });
    if (!walk.ok) return broken(walk.brokenAt, walk.reason, walk.walked);
    if (walk.end.seq !== top) return broken(walk.end.seq + 1n, `event #${walk.end.seq + 1n} is missing (events were removed)`, walk.walked);
    if (checkpoint && walk.end.hash !== checkpoint.hash) {
      return broken(checkpoint.seq, "chain does not match its signed checkpoint: signed events were altered and re-hashed", walk.walked);
    }
    return { ok: true, walked: walk.walked, ...base };
  }
  if (checkpoint.seq === floor.seq) {
    // Everything up to the checkpoint was archived: the signed base must be the signed head.
    if (checkpoint.hash !== floor.hash) return broken(checkpoint.seq, "chain does not match its signed checkpoint: the archive base holds another hash");
    return { ok: true, walked: 0, ...base };
  }
  // The stretch up to the checkpoint was built from signed state; its last event must still be the one signed.
  const last = await db.auditEvent.findFirst({ where: { orgId, seq: checkpoint.seq }, select: auditEventSelect });
  if (!last || last.hash !== checkpoint.hash) {
    return broken(checkpoint.seq, "chain does not match its signed checkpoint: signed events were altered and re-hashed", 1);
  }
  if (chainHash(last.prevHash, { ...last, orgId }) !== last.hash) {
    return broken(checkpoint.seq, "event content does not match its hash (the event was altered)", 1);
  }
  return { ok: true, walked: 1, ...base };
}

// Org → the walk in progress in this process. On globalThis: the API route and the web
// app's action are separate bundles with their own module instances.
const RUNNING = Symbol.for("runtime-vault.verify-walks");
const g = globalThis as typeof globalThis & { [RUNNING]?: Map<string, { full: boolean; result: Promise<VerifyResult> }> };
const running = (g[RUNNING] ??= new Map());

/**
 * verifyAuditChain with at most one walk per org at a time in this process: callers
 * arriving while one runs share its result (a full walk answers an incremental request
 * too); a full request arriving during an incremental walk waits for it, then walks.
 * Many concurrent verifies therefore cost one walk, not one each.
 */
export async function verifyAuditChainOnce(db: Db, options: VerifyOptions): Promise<VerifyResult> {
  const full = options.full ?? false;
  for (let current = running.get(options.orgId); current; current = running.get(options.orgId)) {
    if (current.full || !full) return current.result;
    await current.result.catch(() => {});
  }
  const entry = { full, result: verifyAuditChain(db, options) };
  running.set(options.orgId, entry);
  try {
    return await entry.result;
  } finally {
    if (running.get(options.orgId) === entry) running.delete(options.orgId);
  }
}
