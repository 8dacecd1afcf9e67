// Recomputes a stretch of an org's chain oldest to newest: every event must link to
// its predecessor's hash and hash to its own content. Shared by verify (from genesis)
// and the checkpoint signer (from the last signed checkpoint).
import type { Db } from "@/lib/db/prisma";
import { chainHash } from "./canonical";
import { auditEventSelect } from "./present-event";

export interface ChainPoint {
  seq: bigint;
  hash: string;
  count: bigint;
}

export type WalkResult = { ok: true; end: ChainPoint } | { ok: false; brokenAt: number; checked: number; reason: string };

const BATCH = 2000;

/** Walks the events after `from` up to and including seq `to`. */
export async function walkChain(db: Db, { orgId, from, to }: { orgId: string; from: ChainPoint; to: bigint }): Promise<WalkResult> {
  let { seq, hash, count } = from;
  for (;;) {
    const batch = await db.auditEvent.findMany({
      where: { orgId, seq: { gt: seq, lte: to } },
      select: auditEventSelect,
      orderBy: { seq: "asc" },
      take: BATCH,
    });
    for (const e of batch) {
      const at = { brokenAt: Number(e.seq), checked: Number(count) };
      if (e.prevHash !== hash) return { ok: false, ...at, reason: "event does not link to its predecessor (an earlier event was removed, inserted or reordered)" };
      if (chainHash(hash, { ...e, orgId }) !== e.hash) return { ok: false, ...at, reason: "event content does not match its hash (the event was altered)" };
      seq = e.seq;
      hash = e.hash;
      count++;
    }
    if (batch.length < BATCH) return { ok: true, end: { seq, hash, count } };
  }
}
