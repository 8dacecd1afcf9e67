-- AlterTable
ALTER TABLE "Mount" ADD COLUMN     "headers" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "url" TEXT,
ALTER COLUMN "command" DROP NOT NULL;
