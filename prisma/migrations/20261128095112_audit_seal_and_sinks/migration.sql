-- Audit events are recorded without an org-wide lock and sealed into the chain
-- afterwards, in batches, with a per-org sequence (lib/audit/seal-audit-chain.ts).

-- Pending events: written by the audited action's own statement.
CREATE TABLE "AuditPending" (
    "pid" BIGSERIAL NOT NULL,
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "actorType" "ActorType" NOT NULL,
    "actorId" TEXT,
    "botId" TEXT,
    "secretId" TEXT,
    "secretName" TEXT,
    "scope" TEXT,
    "secretVersion" INTEGER,
    "leaseId" TEXT,
    "justification" TEXT,
    "outcome" "Outcome" NOT NULL,
    "reason" TEXT,
    "ip" TEXT,
    "data" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AuditPending_pkey" PRIMARY KEY ("pid")
);
CREATE INDEX "AuditPending_orgId_pid_idx" ON "AuditPending"("orgId", "pid");
-- Every row is deleted within moments of its insert: vacuum it by row count, not by a
-- fraction of a table that is always nearly empty.
ALTER TABLE "AuditPending" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000);

CREATE TABLE "AuditSinkCursor" (
    "sink" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AuditSinkCursor_pkey" PRIMARY KEY ("sink","orgId")
);

-- The sealed chain, partitioned by month of sealing. Partitions live in their own
-- schema, out of Prisma's sight: the app creates the coming months' partitions
-- (lib/audit/ensure-audit-partitions.ts) and the archive command drops old ones.
CREATE SCHEMA IF NOT EXISTS "rv_audit";
ALTER TABLE "AuditEvent" RENAME TO "AuditEventV1";
ALTER TABLE "AuditEventV1" RENAME CONSTRAINT "AuditEvent_pkey" TO "AuditEventV1_pkey";
DROP TRIGGER "AuditEvent_notify" ON "AuditEventV1";
DROP TRIGGER "AuditEvent_append_only" ON "AuditEventV1";
DROP TRIGGER "AuditEvent_no_truncate" ON "AuditEventV1";
DROP INDEX "AuditEvent_id_key";
DROP INDEX "AuditEvent_orgId_seq_idx";
DROP INDEX "AuditEvent_orgId_type_seq_idx";
DROP INDEX "AuditEvent_orgId_botId_seq_idx";
DROP INDEX "AuditEvent_orgId_secretId_seq_idx";
DROP INDEX "AuditEvent_orgId_createdAt_seq_idx";
DROP INDEX "AuditEvent_justification_idx";

CREATE TABLE "AuditEvent" (
    "orgId" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "actorType" "ActorType" NOT NULL,
    "actorId" TEXT,
    "botId" TEXT,
    "secretId" TEXT,
    "secretName" TEXT,
    "scope" TEXT,
    "secretVersion" INTEGER,
    "leaseId" TEXT,
    "justification" TEXT,
    "outcome" "Outcome" NOT NULL,
    "reason" TEXT,
    "ip" TEXT,
    "data" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "sealedAt" TIMESTAMP(3) NOT NULL,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "signature" TEXT,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("orgId", "seq", "sealedAt")
) PARTITION BY RANGE ("sealedAt");

CREATE INDEX "AuditEvent_orgId_type_seq_idx" ON "AuditEvent"("orgId", "type", "seq" DESC);
CREATE INDEX "AuditEvent_orgId_botId_seq_idx" ON "AuditEvent"("orgId", "botId", "seq" DESC);
CREATE INDEX "AuditEvent_orgId_secretId_seq_idx" ON "AuditEvent"("orgId", "secretId", "seq" DESC);
CREATE INDEX "AuditEvent_orgId_createdAt_seq_idx" ON "AuditEvent"("orgId", "createdAt" DESC, "seq" DESC);
CREATE INDEX "AuditEvent_id_idx" ON "AuditEvent"("id");
CREATE INDEX "AuditEvent_justification_idx" ON "AuditEvent" USING GIN ("justification" gin_trgm_ops);

-- Creates the month partition holding `at` (idempotent). Called by the migration for
-- existing events and by the app ahead of each coming month.
CREATE FUNCTION rv_audit_ensure_partition(at timestamp) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  lo timestamp := date_trunc('month', at);
  name text := 'AuditEvent_' || to_char(lo, 'YYYY_MM');
BEGIN
  IF to_regclass(format('rv_audit.%I', name)) IS NULL THEN
    EXECUTE format('CREATE TABLE rv_audit.%I PARTITION OF "AuditEvent" FOR VALUES FROM (%L) TO (%L)',
                   name, lo, lo + interval '1 month');
  END IF;
  RETURN name;
END;
$$;

-- Anything outside the prepared months still seals (never a failed audit write).
CREATE TABLE rv_audit."AuditEvent_default" PARTITION OF "AuditEvent" DEFAULT;

-- Existing events: renumbered per org in chain order (the hash does not cover seq),
-- sealed at their creation time (kept non-decreasing along each chain).
DO $$
DECLARE m timestamp;
BEGIN
  FOR m IN SELECT DISTINCT date_trunc('month', "createdAt") FROM "AuditEventV1"
           UNION SELECT date_trunc('month', now()::timestamp) LOOP
    PERFORM rv_audit_ensure_partition(m);
  END LOOP;
END;
$$;

INSERT INTO "AuditEvent" ("orgId", "seq", "id", "type", "actorType", "actorId", "botId", "secretId", "secretName", "scope",
                          "secretVersion", "leaseId", "justification", "outcome", "reason", "ip", "data", "createdAt",
                          "sealedAt", "prevHash", "hash")
SELECT "orgId", row_number() OVER (PARTITION BY "orgId" ORDER BY "seq"), "id", "type", "actorType", "actorId", "botId",
       "secretId", "secretName", "scope", "secretVersion", "leaseId", "justification", "outcome", "reason", "ip", "data",
       "createdAt", max("createdAt") OVER (PARTITION BY "orgId" ORDER BY "seq"), "prevHash", "hash"
  FROM "AuditEventV1";
DROP TABLE "AuditEventV1";

-- Old checkpoints signed the global numbering; the sealer re-checks each chain from
-- genesis and signs it afresh on its first pass.
DROP TABLE "AuditCheckpoint";
DROP TABLE "AuditHead";
CREATE TABLE "AuditCheckpoint" (
    "orgId" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "signedAt" TIMESTAMP(3) NOT NULL,
    "sealedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AuditCheckpoint_pkey" PRIMARY KEY ("orgId")
);
ALTER TABLE "AuditCheckpoint" ADD CONSTRAINT "AuditCheckpoint_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Sealed events are append-only: the database itself refuses to change or remove them
-- (the archive command detaches whole partitions instead).
CREATE TRIGGER "AuditEvent_append_only"
  BEFORE UPDATE OR DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION rv_audit_append_only();
CREATE TRIGGER "AuditEvent_no_truncate"
  BEFORE TRUNCATE ON "AuditEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION rv_audit_append_only();
DROP FUNCTION rv_audit_notify();
