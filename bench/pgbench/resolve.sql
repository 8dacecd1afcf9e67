-- The statements POST /api/leases/{id}/resolve runs (as logged by Prisma: the route
-- wrapper's lease-owner lookup and rate-limit bump, then lib/leases/resolve-lease.ts),
-- for pgbench -M prepared, over multi-use leases so they can be resolved again. One lookup (\gset)
-- picks a random seeded lease first; it is not part of the app's path.
\set n random(1, :nleases)
SELECT id AS lease_id, th, bot AS owner_bot FROM bench_leases WHERE n = :n \gset
SELECT "orgId", "botId" FROM "Lease" WHERE "tokenHash" = :th LIMIT 1;
INSERT INTO "RateLimitBucket" ("key", "windowStart", "count") SELECT k, date_trunc('minute', now()), 1 FROM unnest(ARRAY['bot:' || :owner_bot]) AS k ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateLimitBucket"."count" + 1 RETURNING "key", "count";
BEGIN;
UPDATE "Lease" SET "resolveCount" = "resolveCount" + 1, "lastResolvedAt" = now(), "status" = CASE WHEN "singleUse" THEN 'used'::"LeaseStatus" ELSE "status" END WHERE "id" = :lease_id AND "tokenHash" = :th AND "status" = 'active' AND "expiresAt" > now() AND "secretId" IS NOT NULL AND "lockedAt" IS NULL RETURNING "orgId" AS r_org, "botId" AS r_bot, "secretId" AS r_sid, "secretName" AS r_sn, "scope", "expiresAt", "singleUse", "resolveCount" \gset
SELECT "id" FROM "Secret" WHERE "id" = :r_sid AND "orgId" = :org LIMIT 1;
SELECT "id", "version", "ciphertext", "wrappedKey", "keyId", "secretId" FROM "SecretVersion" WHERE "secretId" IN (:r_sid) ORDER BY "version" DESC;
SELECT "hash", "count" FROM "AuditHead" WHERE "orgId" = :org FOR UPDATE;
INSERT INTO "AuditEvent" ("id","orgId","type","actorType","actorId","botId","secretId","secretName","scope","secretVersion","leaseId","justification","outcome","reason","ip","data","createdAt","prevHash","hash") VALUES ('evt_' || substr(md5(random()::text), 1, 24), :org, 'lease.resolved', 'bot', :r_bot, :r_bot, :r_sid, :r_sn, 'production', 1, :lease_id, NULL, 'success', NULL, '127.0.0.1', jsonb_build_object('resolveCount', 1, 'singleUse', false), now(), repeat('0', 64), md5(random()::text) || md5(random()::text)) RETURNING "seq";
UPDATE "AuditHead" SET "hash" = md5(random()::text) || md5(random()::text), "lastSeq" = "lastSeq" + 1, "count" = "count" + 1, "signature" = md5(random()::text) WHERE "orgId" = :org RETURNING "orgId", "lastSeq", "hash", "count";
COMMIT;
