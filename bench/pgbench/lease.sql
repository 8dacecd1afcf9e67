-- The statements POST /api/leases runs (as logged by Prisma), for pgbench -M prepared.
-- One lookup (\gset) picks a random seeded bot first; it is not part of the app's path.
\set n random(1, :nbots)
SELECT "botId" AS bot_id, "tokenHash" AS th, "secretId" AS secret_id, "secretName" AS sn FROM bench_bots WHERE n = :n \gset
SELECT "id", "orgId", "name", "frozenAt", "tokenHash" FROM "Bot" WHERE "tokenHash" = :th LIMIT 1;
BEGIN;
SELECT 1 FROM "AuditHead" WHERE "orgId" = :org FOR UPDATE;
SELECT "frozenAt" FROM "Bot" WHERE "id" = :bot_id AND "orgId" = :org FOR SHARE;
SELECT g."id", g."maxTtlSeconds", g."singleUseOnly", g."secretId" FROM "Grant" g LEFT JOIN "Secret" j0 ON j0."id" = g."secretId" WHERE g."orgId" = :org AND g."botId" = :bot_id AND j0."orgId" = :org AND j0."name" = :sn AND j0."scope" = 'production' AND j0."id" IS NOT NULL AND g."mountId" IS NULL LIMIT 1;
SELECT "id", "name", "scope", "tags" FROM "Secret" WHERE "id" IN (:secret_id);
SELECT "orgId", "maxTtlSeconds", "defaultTtlSeconds", "requireJustification", "minJustificationLength", "singleUseByDefault", "rotationPeriodDays", "approvalSecretIds", "approvalTags", "approvalsRequired", "updatedAt" FROM "Policy" WHERE "orgId" = :org LIMIT 1;
INSERT INTO "Lease" ("id","orgId","botId","secretId","secretName","scope","tokenHash","justification","singleUse","status","ttlSeconds","mountId","failedResolves","expiresAt","resolveCount","createdAt") VALUES ('lse_' || substr(md5(random()::text), 1, 24), :org, :bot_id, :secret_id, :sn, 'production', md5(random()::text) || md5(random()::text), 'Nightly reconciliation of the ledger (pgbench)', true, 'active', 600, NULL, 0, now() + interval '10 minutes', 0, now()) RETURNING "id";
SELECT "hash" FROM "AuditHead" WHERE "orgId" = :org FOR UPDATE;
INSERT INTO "AuditEvent" ("id","orgId","type","actorType","actorId","botId","secretId","secretName","scope","secretVersion","leaseId","justification","outcome","reason","ip","data","createdAt","prevHash","hash") VALUES ('evt_' || substr(md5(random()::text), 1, 24), :org, 'lease.granted', 'bot', :bot_id, :bot_id, :secret_id, :sn, 'production', NULL, NULL, 'Nightly reconciliation of the ledger (pgbench)', 'success', NULL, '127.0.0.1', jsonb_build_object('ttlSeconds', 600, 'singleUse', true), now(), repeat('0', 64), md5(random()::text) || md5(random()::text)) RETURNING "seq";
UPDATE "AuditHead" SET "hash" = md5(random()::text) || md5(random()::text), "lastSeq" = "lastSeq" + 1, "count" = "count" + 1 WHERE "orgId" = :org RETURNING "orgId", "lastSeq", "hash", "count";
COMMIT;
