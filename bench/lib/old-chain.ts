// "Today's figure" of issue 11, measured in the same run as the new statement: the
// chained audit append that lease requests used before commit 5a6e6d6, recreated in a
// scratch schema (bench_old) of the bench database. Frozen copies of 009d087's
// prisma/migrations (AuditEvent with its global seq, indexes and per-row NOTIFY trigger;
// AuditHead) and of lib/audit/record-audit-event.ts's appendEventSql: each append
// locks the org's head row, hashes in PostgreSQL and takes the next global seq.
// This is a historical baseline on purpose: it must not follow lib/ as lib/ changes.
import type pg from "pg";

export const OLD_SCHEMA = "bench_old";

const DDL = `
  CREATE SCHEMA ${OLD_SCHEMA};
  CREATE TABLE ${OLD_SCHEMA}."AuditEvent" (
    "seq" BIGSERIAL NOT NULL, "id" TEXT NOT NULL, "orgId" TEXT NOT NULL, "type" TEXT NOT NULL,
    "actorType" "ActorType" NOT NULL, "actorId" TEXT, "botId" TEXT, "secretId" TEXT, "secretName" TEXT, "scope" TEXT,
    "secretVersion" INTEGER, "leaseId" TEXT, "justification" TEXT, "outcome" "Outcome" NOT NULL, "reason" TEXT, "ip" TEXT,
    "data" JSONB, "createdAt" TIMESTAMP(3) NOT NULL, "prevHash" TEXT NOT NULL, "hash" TEXT NOT NULL,
    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("seq"));
  CREATE UNIQUE INDEX ON ${OLD_SCHEMA}."AuditEvent"("id");
  CREATE INDEX ON ${OLD_SCHEMA}."AuditEvent"("orgId", "seq" DESC);
  CREATE INDEX ON ${OLD_SCHEMA}."AuditEvent"("orgId", "type", "seq" DESC);
  CREATE INDEX ON ${OLD_SCHEMA}."AuditEvent"("orgId", "botId", "seq" DESC);
  CREATE INDEX ON ${OLD_SCHEMA}."AuditEvent"("orgId", "secretId", "seq" DESC);
  CREATE INDEX ON ${OLD_SCHEMA}."AuditEvent"("orgId", "createdAt" DESC, "seq" DESC);
  CREATE INDEX ON ${OLD_SCHEMA}."AuditEvent" USING GIN ("justification" gin_trgm_ops);
  CREATE TABLE ${OLD_SCHEMA}."AuditHead" (
    "orgId" TEXT NOT NULL PRIMARY KEY REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    "lastSeq" BIGINT NOT NULL DEFAULT 0, "hash" TEXT NOT NULL, "prevHash" TEXT NOT NULL DEFAULT '', "count" BIGINT NOT NULL DEFAULT 0);
  -- The live stream's per-row NOTIFY, on a channel no app instance listens to.
  CREATE FUNCTION ${OLD_SCHEMA}.notify() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('rv_bench_old_audit', json_build_object('orgId', NEW."orgId", 'seq', NEW."seq")::text);
    RETURN NULL;
  END;
  $$;
  CREATE TRIGGER "AuditEvent_notify" AFTER INSERT ON ${OLD_SCHEMA}."AuditEvent" FOR EACH ROW EXECUTE FUNCTION ${OLD_SCHEMA}.notify();`;

/** The scratch schema and the org's head row (genesis). */
export async function createOldChain(pool: pg.Pool, orgId: string) {
  await pool.query(DDL);
  await pool.query(`INSERT INTO ${OLD_SCHEMA}."AuditHead" ("orgId", "hash") VALUES ($1, repeat('0', 64))`, [orgId]);
}

const EVENT_COLUMNS = [
  ["id", "text"], ["orgId", "text"], ["type", "text"], ["actorType", '"ActorType"'], ["actorId", "text"], ["botId", "text"],
  ["secretId", "text"], ["secretName", "text"], ["scope", "text"], ["secretVersion", "int"], ["leaseId", "text"],
  ["justification", "text"], ["outcome", '"Outcome"'], ["reason", "text"], ["ip", "text"], ["data", "jsonb"], ["createdAt", "timestamp(3)"],
] as const;

/** Parameters of oldAppendEventSql: the event's canonical text, then the same 17 as today's append. */
export const OLD_APPEND_PARAM_COUNT = 1 + EVENT_COLUMNS.length;

/** 009d087's appendEventSql, on the scratch schema's tables (its rv_event also returns "id"). */
export function oldAppendEventSql(offset: number, after?: string): string {
  const p = (i: number) => `$${offset + i}`;
  const orgParam = p(1 + EVENT_COLUMNS.findIndex(([c]) => c === "orgId") + 1);
  const columns = EVENT_COLUMNS.map(([c]) => `"${c}"`).join(", ");
  const values = EVENT_COLUMNS.map(([, type], i) => `${p(i + 2)}::${type}`).join(", ");
  const head = `${OLD_SCHEMA}."AuditHead"`;
  return `rv_head AS (
    UPDATE ${head}
       SET "prevHash" = ${head}."hash",
           "hash" = encode(sha256(convert_to(${head}."hash" || E'\\n' || ${p(1)}::text, 'UTF8')), 'hex'),
           "lastSeq" = nextval('${OLD_SCHEMA}."AuditEvent_seq_seq"'),
           "count" = ${head}."count" + 1
      ${after ? `FROM ${after}` : ""}
     WHERE ${head}."orgId" = ${orgParam}::text
 RETURNING ${head}."prevHash", ${head}."hash", ${head}."lastSeq"),
  rv_event AS (
    INSERT INTO ${OLD_SCHEMA}."AuditEvent" ("seq", ${columns}, "prevHash", "hash")
    SELECT h."lastSeq", ${values}, h."prevHash", h."hash" FROM rv_head h
 RETURNING "id", "seq", "hash")`;
}
