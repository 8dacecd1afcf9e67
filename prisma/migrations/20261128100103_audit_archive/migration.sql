-- Archive bases: where an org's chain starts after its oldest months were archived to a
-- signed file and their partitions dropped (lib/audit/archive).
CREATE TABLE "AuditArchive" (
    "orgId" TEXT NOT NULL,
    "throughSeq" BIGINT NOT NULL,
    "fromSeq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "events" INTEGER NOT NULL,
    "file" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "partitions" TEXT[],
    "archivedAt" TIMESTAMP(3) NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "AuditArchive_pkey" PRIMARY KEY ("orgId","throughSeq")
);

-- Never removed (the chain after it would no longer verify). Not append-only: after a
-- master key rotation `npm run key:rewrap` re-signs the rows. The signature catches any
-- other edit, also by someone who bypasses the triggers.
CREATE TRIGGER "AuditArchive_no_delete"
  BEFORE DELETE ON "AuditArchive"
  FOR EACH ROW EXECUTE FUNCTION rv_audit_append_only();
CREATE TRIGGER "AuditArchive_no_truncate"
  BEFORE TRUNCATE ON "AuditArchive"
  FOR EACH STATEMENT EXECUTE FUNCTION rv_audit_append_only();
