-- Trigram matching for the audit timeline's justification search (ILIKE '%…%').
-- The embedded database (PGlite) loads the extension too: lib/db/embedded-database.ts.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- DropIndex
DROP INDEX "AuditEvent_orgId_createdAt_idx";

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_createdAt_seq_idx" ON "AuditEvent"("orgId", "createdAt" DESC, "seq" DESC);

-- CreateIndex
CREATE INDEX "AuditEvent_justification_idx" ON "AuditEvent" USING GIN ("justification" gin_trgm_ops);
