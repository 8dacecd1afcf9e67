-- AlterTable
ALTER TABLE "Bot" ADD COLUMN     "tokenIssuedBy" TEXT;

-- AlterTable
ALTER TABLE "Grant" ADD COLUMN     "createdBy" TEXT;

-- AlterTable
ALTER TABLE "Mount" ADD COLUMN     "editedBy" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- Backfill from the audit trail, which records the actor of every bot, token, grant and
-- mount change in the same transaction as the change. What it cannot name stays unknown
-- (NULL), and an unknown token issuer or grant creator lets nobody approve (fail closed)
-- until a member rotates the token or recreates the grant.
UPDATE "Bot" b SET "createdBy" = e."actorId"
  FROM "AuditEvent" e
 WHERE b."createdBy" IS NULL AND e."orgId" = b."orgId" AND e."botId" = b."id"
   AND e."type" = 'bot.created' AND e."actorType" = 'user' AND e."actorId" IS NOT NULL;

-- The current token was issued by the newest of the bot's creation and token rotations.
UPDATE "Bot" b SET "tokenIssuedBy" = latest."actorId"
  FROM (SELECT DISTINCT ON (e."orgId", e."botId") e."orgId", e."botId", e."actorType", e."actorId"
          FROM "AuditEvent" e
         WHERE e."type" IN ('bot.created', 'bot.token_rotated') AND e."botId" IS NOT NULL
         ORDER BY e."orgId", e."botId", e."seq" DESC) latest
 WHERE latest."orgId" = b."orgId" AND latest."botId" = b."id"
   AND latest."actorType" = 'user' AND latest."actorId" IS NOT NULL;
-- A token never rotated is the one its creator saw.
UPDATE "Bot" SET "tokenIssuedBy" = "createdBy"
 WHERE "tokenIssuedBy" IS NULL AND "tokenRotatedAt" IS NULL AND "createdBy" IS NOT NULL;

UPDATE "Grant" g SET "createdBy" = e."actorId"
  FROM "AuditEvent" e
 WHERE e."orgId" = g."orgId" AND e."type" = 'grant.created' AND e."data"->>'grantId' = g."id"
   AND e."actorType" = 'user' AND e."actorId" IS NOT NULL;

UPDATE "Mount" m SET "editedBy" = editors."users"
  FROM (SELECT e."orgId", e."data"->>'mountId' AS "mountId", array_agg(DISTINCT e."actorId") AS "users"
          FROM "AuditEvent" e
         WHERE e."type" IN ('mount.created', 'mount.updated') AND e."actorType" = 'user' AND e."actorId" IS NOT NULL
         GROUP BY 1, 2) editors
 WHERE editors."orgId" = m."orgId" AND editors."mountId" = m."id";
