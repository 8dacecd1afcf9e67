// Signs the newest state of an org's chain, but only after checking that it extends
// the previous signed checkpoint event by event. Someone who rewrites history and
// recomputes the hashes therefore never gets the forgery signed: the stretch no longer
// links to the signed hash, this refuses, and verify reports it.
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { getKeyProvider, type KeyProvider } from "@/lib/crypto/key-provider";
import { GENESIS_HASH } from "./canonical";
import { checkpointSignatureValid, signCheckpoint } from "./checkpoint-signature";
import { walkChain } from "./walk-chain";

export type CheckpointResult =
  | { ok: true; signed: boolean; seq: number }
  | { ok: false; brokenAt: number; reason: string };

export async function checkpointAuditChain(db: PrismaClient, { orgId, keys = getKeyProvider() }: { orgId: string; keys?: KeyProvider }): Promise<CheckpointResult> {
  const [head, checkpoint] = await Promise.all([
    db.auditHead.findUnique({ where: { orgId }, select: { lastSeq: true, hash: true, count: true } }),
    db.auditCheckpoint.findUnique({ where: { orgId }, select: { seq: true, hash: true, count: true, signature: true } }),
  ]);
  if (!head) return { ok: false, brokenAt: 0, reason: "chain head is missing" };
  if (checkpoint && !checkpointSignatureValid(keys, { orgId, ...checkpoint })) {
    return { ok: false, brokenAt: Number(checkpoint.seq), reason: "checkpoint signature is invalid: it was written without the master key" };
  }
  const from = checkpoint ?? { seq: 0n, hash: GENESIS_HASH, count: 0n };
  if (head.lastSeq <= from.seq) return { ok: true, signed: false, seq: Number(from.seq) };

  const walk = await walkChain(db, { orgId, from, to: head.lastSeq });
  if (!walk.ok) return walk;
  const { end } = walk;
  if (end.seq !== head.lastSeq || end.hash !== head.hash || end.count !== head.count) {
    return { ok: false, brokenAt: Number(head.lastSeq), reason: "the chain does not reach its recorded head" };
  }
  const state = { orgId, ...end };
  // Never moves backwards: another instance may have signed a newer state meanwhile.
  await db.$executeRaw`
    INSERT INTO "AuditCheckpoint" ("orgId", "seq", "hash", "count", "signature", "signedAt")
    VALUES (${orgId}, ${end.seq}, ${end.hash}, ${end.count}, ${signCheckpoint(keys, state)}, now())
    ON CONFLICT ("orgId") DO UPDATE SET "seq" = EXCLUDED."seq", "hash" = EXCLUDED."hash", "count" = EXCLUDED."count",
           "signature" = EXCLUDED."signature", "signedAt" = EXCLUDED."signedAt"
     WHERE "AuditCheckpoint"."seq" < EXCLUDED."seq"`;
  return { ok: true, signed: true, seq: Number(end.seq) };
}
