-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "createdByTokenId" TEXT,
ADD COLUMN     "expiresAt" TIMESTAMP(3);
