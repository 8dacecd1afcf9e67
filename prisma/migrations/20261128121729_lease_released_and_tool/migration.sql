-- AlterEnum
ALTER TYPE "LeaseStatus" ADD VALUE 'released';

-- AlterTable
ALTER TABLE "Lease" ADD COLUMN     "mount" TEXT,
ADD COLUMN     "tool" TEXT;
