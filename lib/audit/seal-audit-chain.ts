// Seals an org's pending events into its chain: in one transaction, under the org's
// advisory lock (so one sealer per org at a time, across every app instance), it takes
// the pending events in the order they committed, gives them the next per-org seqs and
// their hashes, moves them into "AuditEvent", and signs the new head as the org's
// checkpoint. Actions therefore never wait on each other for the chain; only this step
// is serial, and it handles a whole batch at once.
//
// It extends the chain from the signed checkpoint, never from event rows: a forged
// event in the database is not built upon. It refuses to seal a chain whose checkpoint
// signature is invalid or that is behind this process's anchor file (rolled back,
// truncated, wiped); verify then says why. An event whose transaction commits late is
// simply in a later batch, so it is never skipped.
import type { PrismaClient, Prisma } from "@/lib/db/prisma";
import { getKeyProvider, type KeyProvider } from "@/lib/crypto/key-provider";
import { chainHash, GENESIS_HASH, type ChainedFields } from "./canonical";
import { checkpointSignatureValid, signCheckpoint } from "./checkpoint-signature";
import { getAnchorFile, type AnchorFile } from "./anchor-file";
import { EVENT_COLUMNS } from "./record-audit-event";
import { walkChain, type ChainPoint } from "./walk-chain";
import { chainedFieldsSelect } from "./present-event";
import { chainFloor } from "./archive/archive-base";

export interface SealOptions {
  orgId: string;
  keys?: KeyProvider;
  anchor?: AnchorFile | null;
  /** Wait for another sealer of the org to finish rather than skip (readers who need every event sealed). */
  wait?: boolean;
  /** Most events per batch. */
  limit?: number;
  /** The sealing time (tests seal into past months' partitions with it); default now. */
  now?: Date;
}

export type SealResult =
  | { ok: true; sealed: number; seq: number; more: boolean }
  | { ok: false; busy: true }
  | { ok: false; busy?: false; brokenAt: number; reason: string };

/** The advisory-lock key of an org's sealer: 64 bits from the org id. */
export const sealLockKey = (orgId: string) => `rv-audit-seal:${orgId}`;

const pendingSelect = { pid: true, ...chainedFieldsSelect } as const;

const COLUMNS = EVENT_COLUMNS.map(([c]) => `"${c}"`).join(", ");
const MOVE_SQL = `
  INSERT INTO "AuditEvent" (${COLUMNS}, "seq", "sealedAt", "prevHash", "hash", "signature")
  SELECT ${EVENT_COLUMNS.map(([c]) => `p."${c}"`).join(", ")}, v.seq, $5::timestamp(3), v.prev, v.hash, v.sig
    FROM unnest($1::text[]::bigint[], $2::text[]::bigint[], $3::text[], $4::text[], $6::text[]) AS v(pid, seq, prev, hash, sig)
    JOIN "AuditPending" p ON p."pid" = v.pid
   ORDER BY v.seq`;

class Refused extends Error {
  constructor(
    readonly brokenAt: bigint,
    reason: string,
  ) {
    super(reason);
  }
}

export async function sealAuditChain(db: PrismaClient, opts: SealOptions): Promise<SealResult> {
  const { orgId, keys = getKeyProvider(), anchor = getAnchorFile(), wait = false, limit = 5000, now } = opts;
  let signed: { seq: bigint; hash: string; signature: string; signedAt: Date } | null = null;
  let result: SealResult;
  try {
    result = await db.$transaction(
      async (tx) => {
        const [{ locked }] = wait
          ? await tx.$queryRaw<{ locked: boolean }[]>`SELECT true AS locked FROM pg_advisory_xact_lock(hashtextextended(${sealLockKey(orgId)}, 0))`
          : await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtextextended(${sealLockKey(orgId)}, 0)) AS locked`;
        if (!locked) return { ok: false, busy: true } as const;

        const base = await chainBase(tx, { orgId, keys, anchor });
        const pending = await tx.auditPending.findMany({ where: { orgId }, select: pendingSelect, orderBy: { pid: "asc" }, take: limit });
        if (pending.length === 0 && !base.unsigned) return { ok: true, sealed: 0, seq: Number(base.seq), more: false } as const;

        const pids: string[] = [];
        const seqs: string[] = [];
        const prevs: string[] = [];
        const hashes: string[] = [];
        const sigs: (string | null)[] = [];
        let { seq, hash } = base;
        for (const { pid, ...event } of pending) {
          const fields: ChainedFields = { ...event, orgId };
          const next = chainHash(hash, fields);
          seq += 1n;
          pids.push(String(pid));
          seqs.push(String(seq));
          prevs.push(hash);
          hashes.push(next);
          sigs.push(null);
          hash = next;
        }
        const signature = signCheckpoint(keys, { orgId, seq, hash });
        if (sigs.length > 0) sigs[sigs.length - 1] = signature;
        // Never below the previous batch, so a month's partition is a prefix of each chain.
        const sealedAt = new Date(Math.max(now?.getTime() ?? Date.now(), base.sealedAt.getTime()));

        if (pending.length > 0) {
          const moved = await tx.$executeRawUnsafe(MOVE_SQL, pids, seqs, prevs, hashes, sealedAt.toISOString(), sigs);
          if (moved !== pending.length) throw new Error(`audit seal moved ${moved} of ${pending.length} pending events`);
          await tx.$executeRaw`DELETE FROM "AuditPending" WHERE "pid" = ANY(${pids}::text[]::bigint[])`;
        }
        const signedAt = new Date();
        await tx.auditCheckpoint.upsert({
          where: { orgId },
          create: { orgId, seq, hash, signature, signedAt, sealedAt },
          update: { seq, hash, signature, signedAt, sealedAt },
        });
        // Wakes every instance's event streams for this org (lib/events/audit-listener.ts).
        await tx.$executeRaw`SELECT pg_notify('rv_audit', json_build_object('orgId', ${orgId}::text, 'seq', ${String(seq)}::text)::text)`;
        signed = { seq, hash, signature, signedAt };
        return { ok: true, sealed: pending.length, seq: Number(seq), more: pending.length === limit } as const;
      },
      { maxWait: 5_000, timeout: 30_000 },
    );
  } catch (err) {
    if (err instanceof Refused) return { ok: false, brokenAt: Number(err.brokenAt), reason: err.message };
    throw err;
  }
  const done = signed as { seq: bigint; hash: string; signature: string; signedAt: Date } | null;
  if (done && anchor) await anchor.record({ orgId, ...done, signedAt: done.signedAt.toISOString() });
  return result;
}

/**
 * Where the next batch attaches: the signed checkpoint, checked against its signature
 * and the anchor. An org with sealed events but no checkpoint (just migrated) has its
 * chain walked from genesis (or its signed archive base) once and is signed from there,
 * unless an anchor says it had one: then the checkpoint was removed.
 */
async function chainBase(
  tx: Prisma.TransactionClient,
  { orgId, keys, anchor }: { orgId: string; keys: KeyProvider; anchor: AnchorFile | null },
): Promise<ChainPoint & { sealedAt: Date; unsigned?: boolean }> {
  const checkpoint = await tx.auditCheckpoint.findUnique({ where: { orgId }, select: { seq: true, hash: true, signature: true, sealedAt: true } });
  const anchored = anchor ? await anchor.newest(orgId) : null;
  if (checkpoint) {
    if (!checkpointSignatureValid(keys, { orgId, ...checkpoint })) {
      throw new Refused(checkpoint.seq, "checkpoint signature is invalid: it was written without the checkpoint key");
    }
    if (anchored && anchored.seq > checkpoint.seq) {
      throw new Refused(anchored.seq, `the database is behind the audit anchor: checkpoint #${checkpoint.seq}, anchor #${anchored.seq} (rolled back or truncated)`);
    }
    return checkpoint;
  }
  if (anchored) throw new Refused(anchored.seq, `the signed checkpoint is missing but the audit anchor holds #${anchored.seq} (removed or wiped)`);
  const floor = await chainFloor(tx, { orgId, keys });
  if (!floor.ok) throw new Refused(floor.brokenAt, floor.reason);
  const newest = await tx.auditEvent.findFirst({ where: { orgId }, select: { seq: true, sealedAt: true }, orderBy: { seq: "desc" } });
  if (!newest) return floor.seq === 0n ? { seq: 0n, hash: GENESIS_HASH, sealedAt: new Date(0) } : { seq: floor.seq, hash: floor.hash, sealedAt: new Date(0), unsigned: true };
  const walk = await walkChain(tx, { orgId, from: { seq: floor.seq, hash: floor.hash }, to: newest.seq });
  if (!walk.ok) throw new Refused(BigInt(walk.brokenAt), walk.reason);
  return { ...walk.end, sealedAt: newest.sealedAt, unsigned: true };
}
