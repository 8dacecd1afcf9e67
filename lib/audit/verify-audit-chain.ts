// Checks an org's chain. By default incrementally: the newest signed checkpoint was
// only signed after the signer checked that its stretch extends the previous one
// (lib/audit/checkpoint-audit-chain.ts), so a verify starts there — signature, the
// checkpointed event itself — and walks only the events after it, up to the recorded
// head (so removing the newest rows is caught too). Its cost follows the events since
// the last checkpoint, not the trail's age. `full` walks from genesis instead, which
// also re-checks everything the checkpoints cover (an auditor's periodic check, or after
// suspected tampering with the database). Events newer than the checkpoint are checked
// for consistency only.
import type { Db } from "@/lib/db/prisma";
import { getKeyProvider, type KeyProvider } from "@/lib/crypto/key-provider";
import { chainHash, GENESIS_HASH } from "./canonical";
import { checkpointSignatureValid } from "./checkpoint-signature";
import { auditEventSelect } from "./present-event";
import { walkChain, type ChainPoint } from "./walk-chain";

export type VerifyMode = "full" | "incremental";

/** `checked`: events in the chain up to the head; `walked`: how many this call recomputed. */
export type VerifyResult = ({ ok: true } | { ok: false; brokenAt: number; reason: string }) & { checked: number; mode: VerifyMode; walked: number };

export interface VerifyOptions {
  orgId: string;
  keys?: KeyProvider;
  /** Walk from genesis rather than from the last signed checkpoint. */
  full?: boolean;
}

export async function verifyAuditChain(db: Db, { orgId, keys = getKeyProvider(), full = false }: VerifyOptions): Promise<VerifyResult> {
  const mode: VerifyMode = full ? "full" : "incremental";
  const broken = (brokenAt: bigint | number, checked: bigint | number, reason: string, walked = 0): VerifyResult => ({
    ok: false,
    brokenAt: Number(brokenAt),
    checked: Number(checked),
    reason,
    mode,
    walked,
  });
  // Read once, first: events appended while we walk are not ours to judge.
  const head = await db.auditHead.findUnique({ where: { orgId }, select: { hash: true, lastSeq: true, count: true } });
  const checkpoint = await db.auditCheckpoint.findUnique({ where: { orgId }, select: { seq: true, hash: true, count: true, signature: true } });
  let at: ChainPoint = { seq: 0n, hash: GENESIS_HASH, count: 0n };
  let walked = 0;

  if (checkpoint) {
    if (!checkpointSignatureValid(keys, { orgId, ...checkpoint })) {
      return broken(checkpoint.seq, 0, "checkpoint signature is invalid: it was written without the master key");
    }
    if (full) {
      const walk = await walkChain(db, { orgId, from: at, to: checkpoint.seq });
      if (!walk.ok) return broken(walk.brokenAt, walk.checked, walk.reason, walk.checked);
      at = walk.end;
      walked = Number(at.count);
      if (at.seq !== checkpoint.seq || at.count !== checkpoint.count) {
        return broken(checkpoint.seq, at.count, `chain ends before its signed checkpoint (seq ${checkpoint.seq}): signed events were removed`, walked);
      }
      if (at.hash !== checkpoint.hash) {
        return broken(checkpoint.seq, at.count, "chain does not match its signed checkpoint: signed events were altered and re-hashed", walked);
      }
    } else {
      // The stretch up to the checkpoint was checked when it was signed; its last event must still be the one signed.
      const anchor = await db.auditEvent.findFirst({ where: { orgId, seq: checkpoint.seq }, select: auditEventSelect });
      if (!anchor) {
        return broken(checkpoint.seq, 0, `chain ends before its signed checkpoint (seq ${checkpoint.seq}): signed events were removed`);
      }
      if (anchor.hash !== checkpoint.hash) {
        return broken(checkpoint.seq, 0, "chain does not match its signed checkpoint: signed events were altered and re-hashed");
      }
      if (chainHash(anchor.prevHash, { ...anchor, orgId }) !== anchor.hash) {
        return broken(checkpoint.seq, 0, "event content does not match its hash (the event was altered)");
      }
      at = { seq: checkpoint.seq, hash: checkpoint.hash, count: checkpoint.count };
    }
  }

  const walk = await walkChain(db, { orgId, from: at, to: head?.lastSeq ?? BigInt(Number.MAX_SAFE_INTEGER) });
  if (!walk.ok) return broken(walk.brokenAt, walk.checked, walk.reason, walked + walk.checked - Number(at.count));
  const end = walk.end;
  walked += Number(end.count - at.count);
  const checked = Number(end.count);
  if (!head) return checked === 0 ? { ok: true, checked, mode, walked } : broken(0, checked, "chain head is missing", walked);
  if (head.lastSeq < (checkpoint?.seq ?? 0n)) {
    return broken(checkpoint!.seq, checked, "chain head was moved back behind its signed checkpoint", walked);
  }
  if (end.hash !== head.hash || end.seq !== head.lastSeq || end.count !== head.count) {
    return broken(head.lastSeq, checked, `chain ends before its recorded head (seq ${head.lastSeq}): the newest events were removed`, walked);
  }
  return { ok: true, checked, mode, walked };
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
