-- Per (sink, org): when the sink last confirmed a batch, when an attempt last failed and
-- why, and since when the org has been past the lag threshold (lib/audit/sinks).
-- AlterTable
ALTER TABLE "AuditSinkCursor" ADD COLUMN     "deliveredAt" TIMESTAMP(3),
ADD COLUMN     "failedAt" TIMESTAMP(3),
ADD COLUMN     "laggingSince" TIMESTAMP(3),
ADD COLUMN     "lastError" TEXT;
