// What a sink receives for each sealed event: every chained field as stored (enough to
// recompute the hash chain: lib/audit/canonical.ts), its seq, prevHash and hash, and on
// the last event of each sealed batch the signed checkpoint at that event. Shipping the
// events in seq order therefore ships every checkpoint in sequence with them. Events
// never hold secret values, and nothing is added here.
import type pg from "pg";
import type { ChainedFields } from "../canonical";

export interface SinkCheckpoint {
  seq: number;
  hash: string;
  signature: string;
}

/** The chained fields (createdAt as ISO text), and the event's place in the chain. */
export type SinkRecord = Omit<ChainedFields, "createdAt"> & {
  seq: number;
  createdAt: string;
  sealedAt: string;
  prevHash: string;
  hash: string;
  checkpoint?: SinkCheckpoint;
};

interface Row extends Omit<SinkRecord, "seq" | "checkpoint"> {
  seq: string;
  signature: string | null;
}

// Timestamps are stored as UTC without a zone: print them in SQL, so the process's own
// time zone never shifts them (pg would read them as local time).
const iso = (column: string) => `to_char(e."${column}", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "${column}"`;

const READ_SQL = `
  SELECT e."orgId", e."seq"::text AS "seq", e."id", e."type", e."actorType"::text AS "actorType", e."actorId",
         e."botId", e."secretId", e."secretName", e."scope", e."secretVersion", e."leaseId", e."justification",
         e."outcome"::text AS "outcome", e."reason", e."ip", e."data", ${iso("createdAt")}, ${iso("sealedAt")},
         e."prevHash", e."hash", e."signature"
    FROM "AuditEvent" e
   WHERE e."orgId" = $1 AND e."seq" > $2::bigint
   ORDER BY e."seq"
   LIMIT $3`;

/** Up to `limit` of the org's sealed events after `afterSeq`, in seq order, as sink records. */
export async function readSinkRecords(sql: pg.ClientBase, orgId: string, afterSeq: bigint, limit: number): Promise<SinkRecord[]> {
  const { rows } = await sql.query<Row>({ name: "rv_sink_read", text: READ_SQL, values: [orgId, String(afterSeq), limit] });
  return rows.map(({ signature, orgId, seq, ...row }) => {
    const record: SinkRecord = { orgId, seq: Number(seq), ...row };
    if (signature) record.checkpoint = { seq: record.seq, hash: row.hash, signature };
    return record;
  });
}
