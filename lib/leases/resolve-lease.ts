// The runtime exchanges a lease token for the plaintext. One conditional UPDATE
// claims the resolve, so a single-use lease yields its value exactly once even
// under concurrency; the resolve and its audit event commit together.
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { transaction } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { getKeyProvider, type KeyProvider } from "@/lib/crypto/key-provider";
import { openValue } from "@/lib/crypto/envelope";
import { digestsEqual, hashToken } from "@/lib/crypto/tokens";
import { denyWithAudit } from "./deny";
import { effectiveStatus } from "./lease-status";
import { rateLimitsFromEnv } from "@/lib/abuse/limits";

/**
 * Someone holds this lease's id but not its token. Count it; at the limit the lease
 * locks for good. Audited on the first wrong token and on the lock, not on every try.
 */
async function countBadToken(db: PrismaClient, { leaseId, ip, maxBadTokens }: { leaseId: string; ip: string | null; maxBadTokens: number }) {
  await transaction(db, async (tx) => {
    const [row] = await tx.$queryRaw<{ orgId: string; botId: string; secretId: string | null; secretName: string; scope: string; failedResolves: number; lockedAt: Date | null }[]>`
      UPDATE "Lease" SET "failedResolves" = "failedResolves" + 1,
             "lockedAt" = CASE WHEN "failedResolves" + 1 >= ${maxBadTokens} THEN COALESCE("lockedAt", now()) ELSE "lockedAt" END
       WHERE "id" = ${leaseId}
   RETURNING "orgId", "botId", "secretId", "secretName", "scope", "failedResolves", "lockedAt"`;
    if (!row || (row.failedResolves !== 1 && row.failedResolves !== maxBadTokens)) return;
    const locking = row.failedResolves >= maxBadTokens;
    await recordAuditEvent(tx, {
      orgId: row.orgId,
      type: locking ? "lease.locked" : "lease.bad_token",
      actor: { type: "system", id: null },
      botId: row.botId,
      secretId: row.secretId,
      secretName: row.secretName,
      scope: row.scope,
      leaseId,
      outcome: "denied",
      reason: locking ? `locked after ${maxBadTokens} wrong lease tokens` : "wrong lease token",
      ip,
    });
  });
}

export interface ResolveLeaseOptions {
  leaseId: string;
  leaseToken: string;
  ip?: string | null;
  keys?: KeyProvider;
  now?: () => Date;
  /** Wrong tokens tolerated on one lease before it locks. */
  maxBadTokens?: number;
}

export interface ResolvedSecret {
  secret: string;
  scope: string;
  version: number;
  value: string;
  expiresAt: string;
}

interface ClaimedLease {
  orgId: string;
  botId: string;
  secretId: string | null;
  secretName: string;
  scope: string;
  expiresAt: Date;
  singleUse: boolean;
  resolveCount: number;
}

const BAD_TOKEN = "A valid lease token is required";

export async function resolveLease(
  db: PrismaClient,
  { leaseId, leaseToken, ip = null, keys = getKeyProvider(), now = () => new Date(), maxBadTokens = rateLimitsFromEnv().badLeaseTokens }: ResolveLeaseOptions,
): Promise<ResolvedSecret> {
  const tokenHash = hashToken(leaseToken);
  const at = now();

  const resolved = await transaction(db, async (tx) => {
    const [lease] = await tx.$queryRaw<ClaimedLease[]>`
      UPDATE "Lease"
         SET "resolveCount" = "resolveCount" + 1,
             "lastResolvedAt" = ${at},
             "status" = CASE WHEN "singleUse" THEN 'used'::"LeaseStatus" ELSE "status" END
       WHERE "id" = ${leaseId} AND "tokenHash" = ${tokenHash}
         AND "status" = 'active' AND "expiresAt" > ${at}
         AND "secretId" IS NOT NULL AND "lockedAt" IS NULL
   RETURNING "orgId", "botId", "secretId", "secretName", "scope", "expiresAt", "singleUse", "resolveCount"`;
    if (!lease) return null;

    const secret = await tx.secret.findFirst({
      where: { id: lease.secretId!, orgId: lease.orgId },
      select: {
        versions: { orderBy: { version: "desc" }, take: 1, select: { version: true, ciphertext: true, wrappedKey: true, keyId: true } },
      },
    });
    const current = secret?.versions[0];
    if (!current) throw new Error("leased secret has no stored version");
    const value = await openValue(
      keys,
      { ciphertext: Buffer.from(current.ciphertext), wrappedKey: Buffer.from(current.wrappedKey), keyId: current.keyId },
      { orgId: lease.orgId, secretId: lease.secretId!, version: current.version },
    );
    await recordAuditEvent(tx, {
      orgId: lease.orgId,
      type: "lease.resolved",
      actor: { type: "bot", id: lease.botId },
      botId: lease.botId,
      secretId: lease.secretId,
      secretName: lease.secretName,
      scope: lease.scope,
      secretVersion: current.version,
      leaseId,
      ip,
      data: { resolveCount: lease.resolveCount, singleUse: lease.singleUse },
    });
    return { secret: lease.secretName, scope: lease.scope, version: current.version, value, expiresAt: lease.expiresAt.toISOString() };
  });
  if (resolved) return resolved;

  // Not claimable: find out why, without telling a wrong token anything.
  const lease = await db.lease.findUnique({
    where: { id: leaseId },
    select: { orgId: true, botId: true, secretId: true, secretName: true, scope: true, tokenHash: true, status: true, expiresAt: true, lockedAt: true },
  });
  if (!lease) throw new ApiError("unauthenticated", BAD_TOKEN);
  if (!lease.tokenHash || !digestsEqual(lease.tokenHash, tokenHash)) {
    await countBadToken(db, { leaseId, ip, maxBadTokens });
    throw new ApiError("unauthenticated", BAD_TOKEN);
  }
  const status = lease.secretId === null && lease.status === "active" ? "revoked" : effectiveStatus(lease, at);
  const event = {
    orgId: lease.orgId,
    type: "lease.resolve_denied",
    actor: { type: "bot" as const, id: lease.botId },
    botId: lease.botId,
    secretId: lease.secretId,
    secretName: lease.secretName,
    scope: lease.scope,
    leaseId,
    ip,
  };
  if (lease.lockedAt) return denyWithAudit(db, event, "lease_locked", "This lease is locked after repeated wrong tokens; request a new one");
  if (status === "revoked") return denyWithAudit(db, event, "lease_revoked", "This lease was revoked");
  if (status === "used") return denyWithAudit(db, event, "lease_used", "This single-use lease was already resolved");
  return denyWithAudit(db, event, "lease_expired", "This lease has expired");
}
