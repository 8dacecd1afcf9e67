// The runtime exchanges a lease token for the plaintext: one read, then one statement
// that claims the resolve and appends its audit event, so they commit together and a
// single-use lease yields its value exactly once even under concurrency.
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { sqlPool, transaction } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { appendEventSql, appendEventValues, EVENT_COLUMNS, prepareAuditEvent, recordAuditEvent, type AuditInput } from "@/lib/audit/record-audit-event";
import { getKeyProvider, type KeyProvider } from "@/lib/crypto/key-provider";
import { openValue } from "@/lib/crypto/envelope";
import { digestsEqual, hashToken } from "@/lib/crypto/tokens";
import { denyWithAudit } from "./deny";
import { effectiveStatus } from "./lease-status";
import { rateLimitsFromEnv, type RateLimits } from "@/lib/abuse/limits";
import { bumpBucketsSql, refuseOverLimit, trimOldWindowsSometimes, windowStartOf } from "@/lib/abuse/consume-rate-limit";
import { bucketStates } from "@/lib/abuse/count-bot-request";
import type { ResolvedSecret } from "runtime-vault";

/**
 * Someone holds this lease's id but not its token. Counted per client address: past the
 * limit that address is locked out of this lease — never the lease itself, so nobody
 * without the token (lease ids are listed to every admin) can stop the holder from
 * resolving it. Audited with the address on its first wrong token and on its lock, not
 * on every try. Returns whether the address is locked out.
 */
async function countBadToken(db: PrismaClient, { leaseId, ip, maxBadTokens }: { leaseId: string; ip: string | null; maxBadTokens: number }): Promise<boolean> {
  const source = ip ?? "unknown";
  return transaction(db, async (tx) => {
    const [row] = await tx.$queryRaw<{ count: number }[]>`
      INSERT INTO "LeaseBadToken" ("leaseId", "source", "count", "lockedAt")
      VALUES (${leaseId}, ${source}, 1, CASE WHEN 1 >= ${maxBadTokens} THEN now() END)
      ON CONFLICT ("leaseId", "source") DO UPDATE SET "count" = "LeaseBadToken"."count" + 1,
             "lockedAt" = CASE WHEN "LeaseBadToken"."count" + 1 >= ${maxBadTokens} THEN COALESCE("LeaseBadToken"."lockedAt", now()) ELSE "LeaseBadToken"."lockedAt" END
      RETURNING "count"`;
    const count = Number(row.count);
    if (count === 1 || count === maxBadTokens) {
      const lease = await tx.lease.findUniqueOrThrow({ where: { id: leaseId }, select: { orgId: true, botId: true, secretId: true, secretName: true, scope: true } });
      const locking = count >= maxBadTokens;
      await recordAuditEvent(tx, {
        orgId: lease.orgId,
        type: locking ? "lease.locked" : "lease.bad_token",
        // Whoever it is holds no credential we know; the address is what identifies them.
        actor: { type: "system", id: null },
        botId: lease.botId,
        secretId: lease.secretId,
        secretName: lease.secretName,
        scope: lease.scope,
        leaseId,
        outcome: "denied",
        reason: locking ? `address ${source} locked out of the lease after ${maxBadTokens} wrong lease tokens` : `wrong lease token from ${source}`,
        ip,
        data: { source, attempts: count },
      });
    }
    return count > maxBadTokens;
  });
}

export interface ResolveLeaseOptions {
  leaseId: string;
  leaseToken: string;
  ip?: string | null;
  keys?: KeyProvider;
  now?: () => Date;
  /** Wrong tokens tolerated from one address on one lease before that address is locked out of it. */
  maxBadTokens?: number;
  /**
   * Count this request against the lease bot's and the IP's budgets (the HTTP route
   * does; the count rides on the first read, so it costs no round trip of its own).
   */
  budget?: { limits: RateLimits; route: string };
  /**
   * vault.read revealing the value to the agent: its event is recorded in the claim's own
   * statement (so it commits exactly when the value is handed out), and the claim holds
   * only while the bot's grant still has revealToAgent.
   */
  reveal?: (lease: { version: number }) => AuditInput;
}


// A row comes back even for an unknown token (all lease columns null), carrying the counts.
interface ReadLease {
  id: string | null;
  buckets: { key: string; count: number }[] | null;
  orgId: string;
  botId: string;
  secretId: string | null;
  secretName: string;
  scope: string;
  expiresAt: Date;
  singleUse: boolean;
  status: string;
  lockedAt: Date | null;
  justification: string;
  mount: string | null;
  tool: string | null;
  version: number | null;
  ciphertext: Buffer | null;
  wrappedKey: Buffer | null;
  keyId: string | null;
}

const BAD_TOKEN = "A valid lease token is required";

// The lease holding the token (with what its resolve event repeats: justification,
// mount, tool), with its secret's newest version, and (when $4) the
// request counted against the budgets of the lease's bot and of the IP ($3, its bucket
// key): one round trip. Keyed by the token alone, so a right token with a wrong id
// still charges its bot; the id is compared by the caller.
export const READ_SQL = `
  WITH l AS (
    SELECT l."id", l."orgId", l."botId", l."secretId", l."secretName", l."scope", l."expiresAt", l."singleUse", l."status", l."lockedAt",
           l."justification", l."mount", l."tool",
           v."version", v."ciphertext", v."wrappedKey", v."keyId"
      FROM "Lease" l
      LEFT JOIN LATERAL (SELECT sv."version", sv."ciphertext", sv."wrappedKey", sv."keyId" FROM "SecretVersion" sv
                          WHERE sv."secretId" = l."secretId" ORDER BY sv."version" DESC LIMIT 1) v ON true
     WHERE l."tokenHash" = $1::text),
  rl AS (${bumpBucketsSql(`ARRAY[(SELECT 'bot:' || "botId" FROM l), $3::text]`, "$2", "$4::boolean")})
  SELECT l.*, (SELECT json_agg(json_build_object('key', "key", 'count', "count")) FROM rl) AS "buckets"
    FROM (SELECT 1) AS one LEFT JOIN l ON true`;

// Claims the resolve and records it in one statement. The conditional UPDATE is what
// makes a single-use lease yield its value once under any concurrency; it also refuses
// if a newer version appeared since the read, so the caller never gets a stale value
// recorded as current. No row back: something changed, read again.
const claimSql = (reveal: boolean) => `
  WITH rv_claim AS (
    UPDATE "Lease"
       SET "resolveCount" = "resolveCount" + 1,
           "lastResolvedAt" = $3::timestamp(3),
           "status" = CASE WHEN "singleUse" THEN 'used'::"LeaseStatus" ELSE "status" END
     WHERE "id" = $1::text AND "tokenHash" = $2::text
       AND "status" = 'active' AND "expiresAt" > $3::timestamp(3)
       -- A lease's secret only ever changes to NULL (deleted). No equality on "secretId"
       -- here: without table statistics a generic plan then picks the (secretId, status)
       -- index and walks every active lease of the secret (measured: 14,000 rows, 11 ms).
       AND "secretId" IS NOT NULL AND "lockedAt" IS NULL
       AND NOT EXISTS (SELECT 1 FROM "SecretVersion" sv WHERE sv."secretId" = $4::text AND sv."version" > $5::int)${reveal ? `
       -- A reveal to the agent holds only while the grant still says so: switched off
       -- since vault.read checked it, nothing is claimed and the read answers "retry".
       AND EXISTS (SELECT 1 FROM "Grant" g WHERE g."botId" = "Lease"."botId" AND g."secretId" = $4::text AND g."revealToAgent")` : ""}
    RETURNING "id"),
  ${appendEventSql(5, "rv_claim")}${reveal ? `,
  ${appendEventSql(5 + EVENT_COLUMNS.length, "rv_claim", "rv_event_also")}` : ""}
  SELECT "id" FROM rv_event`;

export const CLAIM_SQL = claimSql(false);
/** vault.read's reveal: the claim, only while the grant reveals, with vault.read committed in it. */
const CLAIM_REVEAL_SQL = claimSql(true);

/** What a resolve event carries beyond the columns: how the lease was taken (mount, MCP tool). */
function accessData(lease: { singleUse?: boolean; mount: string | null; tool: string | null }): Record<string, unknown> | null {
  const data = {
    ...(lease.singleUse !== undefined ? { singleUse: lease.singleUse } : {}),
    ...(lease.mount ? { mount: lease.mount } : {}),
    ...(lease.tool ? { tool: lease.tool } : {}),
  };
  return Object.keys(data).length ? data : null;
}

const claimable = (l: ReadLease, at: Date) => l.status === "active" && l.expiresAt > at && l.secretId !== null && l.lockedAt === null && l.version !== null;

export async function resolveLease(
  db: PrismaClient,
  { leaseId, leaseToken, ip = null, keys = getKeyProvider(), now = () => new Date(), maxBadTokens = rateLimitsFromEnv().badLeaseTokens, budget, reveal }: ResolveLeaseOptions,
): Promise<ResolvedSecret> {
  const tokenHash = hashToken(leaseToken);
  const at = now();
  const sql = sqlPool(db);
  const windowStart = windowStartOf(at);

  // Another pass only when the lease or its secret changed between read and claim.
  for (let attempt = 0; attempt < 5; attempt++) {
    const counting = attempt === 0 && budget !== undefined;
    const { rows } = await sql.query<ReadLease>({
      name: "rv_resolve_read",
      text: READ_SQL,
      values: [tokenHash, windowStart.toISOString(), ip ? `ip:${ip}` : null, counting],
    });
    const row = rows[0];
    if (counting) {
      trimOldWindowsSometimes(sql, windowStart);
      await refuseOverLimit(db, bucketStates(row.buckets, budget.limits), { orgId: row.orgId, botId: row.botId, ip, route: budget.route }, at);
    }
    const lease = row.id === leaseId ? row : undefined;
    if (!lease || !claimable(lease, at)) break;
    const version = lease.version!;
    const value = await openValue(
      keys,
      { ciphertext: lease.ciphertext!, wrappedKey: lease.wrappedKey!, keyId: lease.keyId! },
      { orgId: lease.orgId, secretId: lease.secretId!, version },
    );
    const event = prepareAuditEvent(
      {
        orgId: lease.orgId,
        type: "lease.resolved",
        actor: { type: "bot", id: lease.botId },
        botId: lease.botId,
        secretId: lease.secretId,
        secretName: lease.secretName,
        scope: lease.scope,
        secretVersion: version,
        leaseId,
        // The lease's why, repeated so one resolve row answers who, when, why and from where.
        justification: lease.justification || null,
        ip,
        data: accessData(lease),
      },
      at,
    );
    const revealed = reveal ? appendEventValues(prepareAuditEvent(reveal({ version }), at)) : [];
    const claimed = await sql.query({
      name: reveal ? "rv_resolve_claim_reveal" : "rv_resolve_claim",
      text: reveal ? CLAIM_REVEAL_SQL : CLAIM_SQL,
      values: [leaseId, tokenHash, at.toISOString(), lease.secretId, version, ...appendEventValues(event), ...revealed],
    });
    if (claimed.rows.length > 0) {
      return { secret: lease.secretName, scope: lease.scope, version, value, expiresAt: lease.expiresAt.toISOString() };
    }
  }

  // Not claimable: find out why, without telling a wrong token anything.
  const lease = await db.lease.findUnique({
    where: { id: leaseId },
    select: {
      orgId: true, botId: true, secretId: true, secretName: true, scope: true, tokenHash: true, status: true, expiresAt: true, lockedAt: true,
      justification: true, mount: true, tool: true,
    },
  });
  if (!lease) throw new ApiError("unauthenticated", BAD_TOKEN);
  if (!lease.tokenHash || !digestsEqual(lease.tokenHash, tokenHash)) {
    if (await countBadToken(db, { leaseId, ip, maxBadTokens })) {
      throw new ApiError("lease_locked", "Too many wrong tokens for this lease from your address");
    }
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
    justification: lease.justification || null,
    ip,
    data: accessData(lease),
  };
  // Only leases locked before lockouts were per address carry lockedAt.
  if (lease.lockedAt) return denyWithAudit(db, event, "lease_locked", "This lease is locked after repeated wrong tokens; request a new one");
  if (status === "revoked") return denyWithAudit(db, event, "lease_revoked", "This lease was revoked");
  // Same code as a revocation (clients stop either way), its own words.
  if (status === "released") return denyWithAudit(db, event, "lease_revoked", "This lease was released by its bot");
  if (status === "used") return denyWithAudit(db, event, "lease_used", "This single-use lease was already resolved");
  // Still claimable: its secret kept being rotated under us. Nothing was handed out.
  if (status === "active") throw new ApiError("conflict", "The secret changed while resolving; retry");
  return denyWithAudit(db, event, "lease_expired", "This lease has expired");
}
