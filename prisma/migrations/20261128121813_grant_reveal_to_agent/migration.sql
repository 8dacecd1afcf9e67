-- AlterTable
ALTER TABLE "Grant" ADD COLUMN     "revealToAgent" BOOLEAN NOT NULL DEFAULT false;
