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
import type pg from "pg";
import { sqlPool, type Db, type PrismaClient } from "@/lib/db/prisma";
import { getKeyProvider, type KeyProvider } from "@/lib/crypto/key-provider";
import { chainHash, GENESIS_HASH, type ChainedFields } from "./canonical";
import { checkpointSignatureValid, signCheckpoint } from "./checkpoint-signature";
import { getAnchorFile, type AnchorFile } from "./anchor-file";
import { EVENT_COLUMNS } from "./record-audit-event";
import { walkChain, type ChainPoint } from "./walk-chain";
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
  /**
   * Connections to seal on; default the client's own pool. The server's sealer passes a
   * pool of its own, so that a seal never queues behind requests for a connection.
   */
  pool?: pg.Pool;
}

export type SealResult =
  | { ok: true; sealed: number; seq: number; more: boolean }
  | { ok: false; busy: true }
  | { ok: false; busy?: false; brokenAt: number; reason: string };

/** The advisory-lock key of an org's sealer: 64 bits from the org id. */
export const sealLockKey = (orgId: string) => `rv-audit-seal:${orgId}`;

const LOCK_SQL = `SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked`;
const WAIT_SQL = `SELECT true AS locked FROM pg_advisory_xact_lock(hashtextextended($1, 0))`;

// After the lock, in its own statement (a statement's snapshot predates the lock it
// takes, and would miss the batch sealed by whoever held it): the checkpoint and the
// oldest pending events, in one round trip. Timestamps as UTC text, so that the hash
// input is what Prisma reads back for verify.
const ISO = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const READ_SQL = `
  SELECT (SELECT json_build_object('seq', c."seq"::text, 'hash', c."hash", 'signature', c."signature", 'sealedAt', ${ISO('c."sealedAt"')})
            FROM "AuditCheckpoint" c WHERE c."orgId" = $1) AS "checkpoint",
         -- In commit order: by the number, not its text ("10" sorts before "9").
         (SELECT coalesce(json_agg(p ORDER BY p."pid"::bigint), '[]') FROM (
            SELECT "pid"::text AS "pid", ${EVENT_COLUMNS.filter(([c]) => c !== "orgId" && c !== "createdAt")
              .map(([c]) => `"${c}"`)
              .join(", ")}, ${ISO('"createdAt"')} AS "createdAt"
              FROM "AuditPending" a WHERE a."orgId" = $1 ORDER BY a."pid" LIMIT $2) p) AS "pending"`;

// The write half in one statement: move the batch, drop it from pending, sign the new
// head, and wake every instance's event streams (lib/events/audit-listener.ts).
const COLUMNS = EVENT_COLUMNS.map(([c]) => `"${c}"`).join(", ");
const WRITE_SQL = `
  WITH v AS (SELECT * FROM unnest($2::text[]::bigint[], $3::text[]::bigint[], $4::text[], $5::text[], $6::text[]) AS v(pid, seq, prev, hash, sig)),
  moved AS (
    INSERT INTO "AuditEvent" (${COLUMNS}, "seq", "sealedAt", "prevHash", "hash", "signature")
    SELECT ${EVENT_COLUMNS.map(([c]) => `p."${c}"`).join(", ")}, v.seq, $7::timestamp(3), v.prev, v.hash, v.sig
      FROM v JOIN "AuditPending" p ON p."pid" = v.pid
    RETURNING 1),
  dropped AS (DELETE FROM "AuditPending" WHERE "pid" IN (SELECT pid FROM v) RETURNING 1),
  signed AS (
    INSERT INTO "AuditCheckpoint" ("orgId", "seq", "hash", "signature", "signedAt", "sealedAt")
    VALUES ($1, $8::bigint, $9, $10, $11::timestamp(3), $7::timestamp(3))
    ON CONFLICT ("orgId") DO UPDATE SET "seq" = EXCLUDED."seq", "hash" = EXCLUDED."hash", "signature" = EXCLUDED."signature",
           "signedAt" = EXCLUDED."signedAt", "sealedAt" = EXCLUDED."sealedAt"
    RETURNING 1)
  SELECT CASE WHEN (SELECT count(*) FROM moved) = $12 AND (SELECT count(*) FROM dropped) = $12 AND (SELECT count(*) FROM signed) = 1
              THEN pg_notify('rv_audit', json_build_object('orgId', $1::text, 'seq', $8::text)::text)::text
              -- A batch that did not move whole must not commit: this cast fails with the
              -- counts in its message, and the COMMIT sent after it is then not run.
              ELSE ('audit seal: moved ' || (SELECT count(*) FROM moved) || ', dropped ' || (SELECT count(*) FROM dropped) || ' of ' || $12)::int::text END`;

/**
 * `sql` with its $n parameters written in as literals, for the simple query protocol,
 * which takes several statements in one round trip (the extended one, with parameters,
 * takes one). Values are only ids, digits, hex and ISO times; escaped regardless.
 */
function inline(client: pg.PoolClient, sql: string, values: unknown[]): string {
  const literal = (v: unknown): string => {
    if (v === null || v === undefined) return "NULL";
    if (typeof v === "number" || typeof v === "bigint") return String(v);
    if (Array.isArray(v)) return v.length === 0 ? "'{}'" : `ARRAY[${v.map((x) => (x === null ? "NULL::text" : literal(String(x)))).join(", ")}]`;
    return client.escapeLiteral(String(v));
  };
  return sql.replace(/\$(\d+)/g, (_, n: string) => literal(values[Number(n) - 1]));
}

class Refused extends Error {
  constructor(
    readonly brokenAt: bigint,
    reason: string,
  ) {
    super(reason);
  }
}

type PendingRow = Omit<ChainedFields, "orgId" | "createdAt"> & { pid: string; createdAt: string };
interface CheckpointRow {
  seq: string;
  hash: string;
  signature: string;
  sealedAt: string;
}

type Base = ChainPoint & { sealedAt: Date; unsigned?: boolean };

class NeedsFirstWalk extends Error {}

export async function sealAuditChain(db: PrismaClient, opts: SealOptions): Promise<SealResult> {
  const { orgId, keys = getKeyProvider(), anchor = getAnchorFile() } = opts;
  // Before the lock: whatever the anchor holds was committed before it (anchor-file.ts).
  const anchored = anchor ? await anchor.newest(orgId) : null;
  try {
    return await sealBatch(db, opts, anchored, null);
  } catch (err) {
    if (!(err instanceof NeedsFirstWalk)) throw err;
  }
  // No checkpoint yet: walk the chain with no transaction of ours open (on the embedded
  // database one connection at a time holds the session, so a read on another connection
  // inside our transaction would wait for it forever), then seal from there. Until some
  // sealer signs it, nobody seals the org, so the walk still holds when the lock is taken.
  let first: Base;
  try {
    first = await firstBase(db, { orgId, keys });
  } catch (err) {
    if (err instanceof Refused) return { ok: false, brokenAt: Number(err.brokenAt), reason: err.message };
    throw err;
  }
  return sealBatch(db, opts, anchored, first);
}

async function sealBatch(db: PrismaClient, opts: SealOptions, anchored: { seq: bigint } | null, first: Base | null): Promise<SealResult> {
  const { orgId, keys = getKeyProvider(), anchor = getAnchorFile(), wait = false, limit = 5000, now, pool = sqlPool(db) } = opts;
  const client = await pool.connect();
  let signed: { seq: bigint; hash: string; signature: string; signedAt: Date } | null = null;
  let result: SealResult;
  try {
    // BEGIN, the lock and the read in one round trip (the read, a statement of its own,
    // still takes its snapshot after the lock).
    const opened = (await client.query(
      `BEGIN; ${inline(client, wait ? WAIT_SQL : LOCK_SQL, [sealLockKey(orgId)])}; ${inline(client, READ_SQL, [orgId, limit])}`,
    )) as unknown as pg.QueryResult[];
    if (!opened[1].rows[0]?.locked) {
      await client.query("ROLLBACK");
      return { ok: false, busy: true };
    }
    const { checkpoint, pending } = opened[2].rows[0] as { checkpoint: CheckpointRow | null; pending: PendingRow[] };
    const base = chainBase({ orgId, keys, anchored, checkpoint, first });
    if (pending.length === 0 && !base.unsigned) {
      await client.query("ROLLBACK");
      return { ok: true, sealed: 0, seq: Number(base.seq), more: false };
    }

    const pids: string[] = [];
    const seqs: string[] = [];
    const prevs: string[] = [];
    const hashes: string[] = [];
    const sigs: (string | null)[] = [];
    let { seq, hash } = base;
    for (const { pid, createdAt, ...event } of pending) {
      const next = chainHash(hash, { ...event, orgId, createdAt: new Date(createdAt) });
      seq += 1n;
      pids.push(pid);
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
    const signedAt = new Date();
    // The write and COMMIT in one round trip: a wrong count rolls the whole batch back.
    const write = inline(client, WRITE_SQL, [orgId, pids, seqs, prevs, hashes, sigs, sealedAt.toISOString(), String(seq), hash, signature, signedAt.toISOString(), pending.length]);
    await client.query(`${write}; COMMIT`);
    signed = { seq, hash, signature, signedAt };
    result = { ok: true, sealed: pending.length, seq: Number(seq), more: pending.length === limit };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    if (err instanceof Refused) return { ok: false, brokenAt: Number(err.brokenAt), reason: err.message };
    throw err; // NeedsFirstWalk included: the caller walks, then comes back.
  } finally {
    client.release();
  }
  if (signed && anchor) {
    const done = signed as { seq: bigint; hash: string; signature: string; signedAt: Date };
    await anchor.record({ orgId, ...done, signedAt: done.signedAt.toISOString() });
  }
  return result;
}

/**
 * Where the next batch attaches: the signed checkpoint, checked against its signature
 * and the anchor. An org with sealed events but no checkpoint (just migrated) has its
 * chain walked from genesis (or its signed archive base) once and is signed from there,
 * unless an anchor says it had one: then the checkpoint was removed.
 */
function chainBase({
  orgId,
  keys,
  anchored,
  checkpoint: row,
  first,
}: {
  orgId: string;
  keys: KeyProvider;
  anchored: { seq: bigint } | null;
  checkpoint: CheckpointRow | null;
  first: Base | null;
}): Base {
  const checkpoint = row && { seq: BigInt(row.seq), hash: row.hash, signature: row.signature, sealedAt: new Date(row.sealedAt) };
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
  if (!first) throw new NeedsFirstWalk();
  return first;
}

/** The head of a chain that has no checkpoint: walked from genesis or its signed archive base. */
async function firstBase(db: Db, { orgId, keys }: { orgId: string; keys: KeyProvider }): Promise<Base> {
  const floor = await chainFloor(db, { orgId, keys });
  if (!floor.ok) throw new Refused(floor.brokenAt, floor.reason);
  const newest = await db.auditEvent.findFirst({ where: { orgId }, select: { seq: true, sealedAt: true }, orderBy: { seq: "desc" } });
  if (!newest) return floor.seq === 0n ? { seq: 0n, hash: GENESIS_HASH, sealedAt: new Date(0) } : { seq: floor.seq, hash: floor.hash, sealedAt: new Date(0), unsigned: true };
  const walk = await walkChain(db, { orgId, from: { seq: floor.seq, hash: floor.hash }, to: newest.seq });
  if (!walk.ok) throw new Refused(BigInt(walk.brokenAt), walk.reason);
  return { ...walk.end, sealedAt: newest.sealedAt, unsigned: true };
}
