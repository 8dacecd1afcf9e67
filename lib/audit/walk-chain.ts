// Recomputes a stretch of an org's sealed chain oldest to newest: every event must
// carry the next seq, link to its predecessor's hash and hash to its own content.
// Shared by verify and the sealer's first pass over a chain it has no checkpoint for.
import type { Db } from "@/lib/db/prisma";
import { chainHash } from "./canonical";
import { auditEventSelect } from "./present-event";

export interface ChainPoint {
  seq: bigint;
  hash: string;
}

export type WalkResult = { ok: true; end: ChainPoint; walked: number } | { ok: false; brokenAt: number; walked: number; reason: string };

const BATCH = 2000;

/** Walks the events after `from` up to and including seq `to`. */
export async function walkChain(db: Db, { orgId, from, to }: { orgId: string; from: ChainPoint; to: bigint }): Promise<WalkResult> {
  let { seq, hash } = from;
  let walked = 0;
  for (;;) {
    const batch = await db.auditEvent.findMany({
      where: { orgId, seq: { gt: seq, lte: to } },
      select: auditEventSelect,
      orderBy: { seq: "asc" },
      take: BATCH,
    });
    for (const e of batch) {
      const at = { brokenAt: Number(e.seq), walked };
      if (e.seq <= seq) return { ok: false, ...at, reason: `two events carry #${e.seq} (an event was inserted)` };
      if (e.seq !== seq + 1n) return { ok: false, ...at, brokenAt: Number(seq + 1n), reason: `event #${seq + 1n} is missing (events were removed)` };
      if (e.prevHash !== hash) return { ok: false, ...at, reason: "event does not link to its predecessor (an earlier event was removed, inserted or reordered)" };
      if (chainHash(hash, { ...e, orgId }) !== e.hash) return { ok: false, ...at, reason: "event content does not match its hash (the event was altered)" };
      seq = e.seq;
      hash = e.hash;
      walked++;
    }
    if (batch.length < BATCH) return { ok: true, end: { seq, hash }, walked };
  }
}
