// Walks an org's chain from genesis. It must pass through the signed checkpoint (so
// nothing the app has signed was rewritten, removed or reordered, even by someone who
// recomputed the hashes) and end at the recorded head (so removing the newest rows is
// caught too). Events newer than the checkpoint are checked for consistency only.
import type { Db } from "@/lib/db/prisma";
import { getKeyProvider, type KeyProvider } from "@/lib/crypto/key-provider";
import { GENESIS_HASH } from "./canonical";
import { checkpointSignatureValid } from "./checkpoint-signature";
import { walkChain, type ChainPoint } from "./walk-chain";

export type VerifyResult = { ok: true; checked: number } | { ok: false; brokenAt: number; checked: number; reason: string };

export async function verifyAuditChain(db: Db, { orgId, keys = getKeyProvider() }: { orgId: string; keys?: KeyProvider }): Promise<VerifyResult> {
  // Read once, first: events appended while we walk are not ours to judge.
  const head = await db.auditHead.findUnique({ where: { orgId }, select: { hash: true, lastSeq: true, count: true } });
  const checkpoint = await db.auditCheckpoint.findUnique({ where: { orgId }, select: { seq: true, hash: true, count: true, signature: true } });
  let at: ChainPoint = { seq: 0n, hash: GENESIS_HASH, count: 0n };

  if (checkpoint) {
    if (!checkpointSignatureValid(keys, { orgId, ...checkpoint })) {
      return { ok: false, brokenAt: Number(checkpoint.seq), checked: 0, reason: "checkpoint signature is invalid: it was written without the master key" };
    }
    const walk = await walkChain(db, { orgId, from: at, to: checkpoint.seq });
    if (!walk.ok) return walk;
    at = walk.end;
    if (at.seq !== checkpoint.seq || at.count !== checkpoint.count) {
      return { ok: false, brokenAt: Number(checkpoint.seq), checked: Number(at.count), reason: `chain ends before its signed checkpoint (seq ${checkpoint.seq}): signed events were removed` };
    }
    if (at.hash !== checkpoint.hash) {
      return { ok: false, brokenAt: Number(checkpoint.seq), checked: Number(at.count), reason: "chain does not match its signed checkpoint: signed events were altered and re-hashed" };
    }
  }

  const walk = await walkChain(db, { orgId, from: at, to: head?.lastSeq ?? BigInt(Number.MAX_SAFE_INTEGER) });
  if (!walk.ok) return walk;
  const end = walk.end;
  const checked = Number(end.count);
  if (!head) return checked === 0 ? { ok: true, checked } : { ok: false, brokenAt: 0, checked, reason: "chain head is missing" };
  if (head.lastSeq < (checkpoint?.seq ?? 0n)) {
    return { ok: false, brokenAt: Number(checkpoint!.seq), checked, reason: "chain head was moved back behind its signed checkpoint" };
  }
  if (end.hash !== head.hash || end.seq !== head.lastSeq || end.count !== head.count) {
    return { ok: false, brokenAt: Number(head.lastSeq), checked, reason: `chain ends before its recorded head (seq ${head.lastSeq}): the newest events were removed` };
  }
  return { ok: true, checked };
}
