-- AlterTable
ALTER TABLE "AuditHead" ADD COLUMN     "signature" TEXT NOT NULL DEFAULT '';
