-- AlterTable
ALTER TABLE "Mount" ADD COLUMN     "headers" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "url" TEXT,
ALTER COLUMN "command" DROP NOT NULL;

-- A mount launches a local server or bridges to a remote one, never both or neither.
ALTER TABLE "Mount" ADD CONSTRAINT "Mount_command_or_url" CHECK (("command" IS NULL) <> ("url" IS NULL));
