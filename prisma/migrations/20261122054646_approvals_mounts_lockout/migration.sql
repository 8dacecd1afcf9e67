-- CreateEnum
CREATE TYPE "Decision" AS ENUM ('approved', 'denied');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "LeaseStatus" ADD VALUE 'pending';
ALTER TYPE "LeaseStatus" ADD VALUE 'denied';

-- AlterTable
ALTER TABLE "Bot" ADD COLUMN     "createdBy" TEXT,
ADD COLUMN     "tokenRotatedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Grant" ADD COLUMN     "mountId" TEXT;

-- AlterTable
ALTER TABLE "Lease" ADD COLUMN     "decidedAt" TIMESTAMP(3),
ADD COLUMN     "failedResolves" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lockedAt" TIMESTAMP(3),
ADD COLUMN     "mountId" TEXT,
ADD COLUMN     "ttlSeconds" INTEGER NOT NULL DEFAULT 0,
ALTER COLUMN "tokenHash" DROP NOT NULL;

-- Existing leases predate stored TTLs; new rows always set it.
ALTER TABLE "Lease" ALTER COLUMN "ttlSeconds" DROP DEFAULT;

-- AlterTable
ALTER TABLE "Policy" ADD COLUMN     "approvalSecretIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "approvalTags" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "approvalsRequired" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "rotationPeriodDays" INTEGER NOT NULL DEFAULT 90;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "setPasswordExpiresAt" TIMESTAMP(3),
ADD COLUMN     "setPasswordTokenHash" TEXT;

-- CreateTable
CREATE TABLE "Approval" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "leaseId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "decision" "Decision" NOT NULL,
    "reason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Approval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Mount" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "botId" TEXT NOT NULL,
    "command" TEXT NOT NULL,
    "args" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "mappings" JSONB NOT NULL,
    "justificationTemplate" TEXT NOT NULL,
    "ttlSeconds" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Mount_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Approval_orgId_idx" ON "Approval"("orgId");

-- CreateIndex
CREATE UNIQUE INDEX "Approval_leaseId_userId_key" ON "Approval"("leaseId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "Mount_orgId_name_key" ON "Mount"("orgId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "User_setPasswordTokenHash_key" ON "User"("setPasswordTokenHash");

-- AddForeignKey
ALTER TABLE "Grant" ADD CONSTRAINT "Grant_mountId_fkey" FOREIGN KEY ("mountId") REFERENCES "Mount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Approval" ADD CONSTRAINT "Approval_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Approval" ADD CONSTRAINT "Approval_leaseId_fkey" FOREIGN KEY ("leaseId") REFERENCES "Lease"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Mount" ADD CONSTRAINT "Mount_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Mount" ADD CONSTRAINT "Mount_botId_fkey" FOREIGN KEY ("botId") REFERENCES "Bot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Live event stream: every committed audit event wakes listeners (all app instances).
CREATE FUNCTION rv_audit_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('rv_audit', json_build_object('orgId', NEW."orgId", 'seq', NEW."seq")::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER "AuditEvent_notify"
  AFTER INSERT ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION rv_audit_notify();
