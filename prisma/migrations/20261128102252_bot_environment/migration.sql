-- AlterTable
ALTER TABLE "Bot" ADD COLUMN     "environment" TEXT NOT NULL DEFAULT 'default';
