// Walks an org's chain oldest to newest: every event must link to its
// predecessor's hash and hash to its own content, and the last one must be the
// head recorded on every append (so removing the newest rows is caught too).
import type { Db } from "@/lib/db/prisma";
import { chainHash, GENESIS_HASH } from "./canonical";
import { auditEventSelect } from "./present-event";
import { getKeyProvider, type KeyProvider } from "@/lib/crypto/key-provider";
import { headSignatureValid } from "./head-signature";

export type VerifyResult = { ok: true; checked: number } | { ok: false; brokenAt: number; checked: number; reason: string };

const BATCH = 2000;

export async function verifyAuditChain(db: Db, { orgId, keys = getKeyProvider() }: { orgId: string; keys?: KeyProvider }): Promise<VerifyResult> {
  const head = await db.auditHead.findUnique({ where: { orgId }, select: { hash: true, lastSeq: true, count: true, signature: true } });
  let prev = GENESIS_HASH;
  let checked = 0;
  let lastSeq = 0n;
  for (;;) {
    const batch = await db.auditEvent.findMany({
      // Only up to the head read above: events appended while we walk are not ours to judge.
      where: { orgId, seq: { gt: lastSeq, lte: head?.lastSeq ?? BigInt(Number.MAX_SAFE_INTEGER) } },
      select: auditEventSelect,
      orderBy: { seq: "asc" },
      take: BATCH,
    });
    for (const e of batch) {
      const seq = Number(e.seq);
      if (e.prevHash !== prev) return { ok: false, brokenAt: seq, checked, reason: "event does not link to its predecessor (an earlier event was removed, inserted or reordered)" };
      const expected = chainHash(prev, { ...e, orgId, secretVersion: e.secretVersion, data: e.data });
      if (expected !== e.hash) return { ok: false, brokenAt: seq, checked, reason: "event content does not match its hash (the event was altered)" };
      prev = e.hash;
      lastSeq = e.seq;
      checked++;
    }
    if (batch.length < BATCH) break;
  }
  if (!head) return checked === 0 ? { ok: true, checked } : { ok: false, brokenAt: 0, checked, reason: "chain head is missing" };
  if (head.count > 0n && !headSignatureValid(keys, { orgId, ...head })) {
    return { ok: false, brokenAt: Number(head.lastSeq), checked, reason: "chain head signature is invalid: the head was rewritten without the master key" };
  }
  if (prev !== head.hash || lastSeq !== head.lastSeq || BigInt(checked) !== head.count) {
    return { ok: false, brokenAt: Number(head.lastSeq), checked, reason: `chain ends before its recorded head (seq ${head.lastSeq}): the newest events were removed` };
  }
  return { ok: true, checked };
}
