// One step of the outbox: the next batch of one org's sealed events to one sink.
//
// Under the (sink, org) advisory lock (one shipper per pair across every app instance;
// an instance that finds it taken skips the pair, whoever holds it ships), it reads the
// cursor, reads the events after it in seq order, hands them to the sink, and only once
// the sink confirmed them moves the cursor to the last one. A crash anywhere before
// that update leaves the cursor where it was and the lock released with the connection:
// the next shipper sends the same events again. So every event reaches the sink at
// least once and in order, a batch possibly twice.
//
// The lock is a session lock held on the connection, not a transaction: no transaction
// stays open while the sink is slow or down (on the embedded database, whose one
// session runs one transaction at a time, that would stall every request).
import type pg from "pg";
import { describeSinkError, type AuditSink } from "./audit-sink";
import { readSinkRecords } from "./sink-record";

export type BatchResult =
  | { ok: true; shipped: number; seq: bigint; more: boolean }
  | { ok: false; busy: true }
  | { ok: false; busy?: false; error: string };

/** The advisory-lock key of a (sink, org) pair's shipper. */
export const shipLockKey = (sink: string, orgId: string) => `rv-audit-sink:${sink}:${orgId}`;

// Our own timestamps are UTC without a zone, as Prisma writes every DateTime.
const NOW = `(clock_timestamp() AT TIME ZONE 'UTC')`;

export async function shipOrgBatch(pool: pg.Pool, sink: AuditSink, orgId: string, { batch = 500 }: { batch?: number } = {}): Promise<BatchResult> {
  const client = await pool.connect();
  const key = shipLockKey(sink.name, orgId);
  let locked = false;
  let broken: Error | undefined;
  try {
    const { rows: lock } = await client.query<{ locked: boolean }>({
      name: "rv_sink_lock",
      text: `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
      values: [key],
    });
    locked = lock[0].locked;
    if (!locked) return { ok: false, busy: true };
    const { rows: cursor } = await client.query<{ seq: string }>({
      name: "rv_sink_cursor",
      text: `SELECT "seq"::text AS "seq" FROM "AuditSinkCursor" WHERE "sink" = $1 AND "orgId" = $2`,
      values: [sink.name, orgId],
    });
    const after = BigInt(cursor[0]?.seq ?? 0);
    const records = await readSinkRecords(client, orgId, after, batch);
    if (records.length === 0) return { ok: true, shipped: 0, seq: after, more: false };
    if (BigInt(records[0].seq) !== after + 1n) {
      // Only an archive drops sealed events; those are in its file, not in the database.
      console.error(`[runtime-vault] audit sink "${sink.name}": events #${after + 1n}–#${records[0].seq - 1} of ${orgId} were archived before this sink received them; shipping on from #${records[0].seq}`);
    }

    try {
      await sink.write(records);
    } catch (err) {
      const error = describeSinkError(err);
      await client.query({
        name: "rv_sink_failed",
        text: `INSERT INTO "AuditSinkCursor" ("sink", "orgId", "seq", "updatedAt", "failedAt", "lastError")
               VALUES ($1, $2, 0, ${NOW}, ${NOW}, $3)
               ON CONFLICT ("sink", "orgId") DO UPDATE SET "failedAt" = EXCLUDED."failedAt", "lastError" = EXCLUDED."lastError", "updatedAt" = EXCLUDED."updatedAt"`,
        values: [sink.name, orgId, error],
      });
      return { ok: false, error };
    }

    const seq = BigInt(records[records.length - 1].seq);
    await client.query({
      name: "rv_sink_advance",
      text: `INSERT INTO "AuditSinkCursor" ("sink", "orgId", "seq", "updatedAt", "deliveredAt")
             VALUES ($1, $2, $3::bigint, ${NOW}, ${NOW})
             ON CONFLICT ("sink", "orgId") DO UPDATE
               SET "seq" = GREATEST("AuditSinkCursor"."seq", EXCLUDED."seq"), "deliveredAt" = EXCLUDED."deliveredAt", "updatedAt" = EXCLUDED."updatedAt"`,
      values: [sink.name, orgId, String(seq)],
    });
    return { ok: true, shipped: records.length, seq, more: records.length === batch };
  } catch (err) {
    // The database failed us (the sink may well have the batch: it goes again).
    broken = err as Error;
    throw err;
  } finally {
    if (locked && !broken) {
      await client.query({ name: "rv_sink_unlock", text: `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, values: [key] }).catch((err) => (broken = err));
    }
    // A connection in doubt is closed, not pooled: closing it releases the lock.
    client.release(broken);
  }
}
