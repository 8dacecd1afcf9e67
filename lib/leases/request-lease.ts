// The bot asks for a lease. Checks in the documented order: frozen bot, grant
// (a missing secret answers exactly like a missing grant), org policy; then the
// TTL is clamped to the policy's and the grant's maximum (Vault's max_ttl).
// Secrets under an approval rule get a pending lease instead: no token exists
// until enough humans approve (lib/approvals), then the bot collects it once.
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { transaction } from "@/lib/db/prisma";
import type { BotPrincipal } from "@/lib/auth/authenticate-bot";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { generateToken, hashToken } from "@/lib/crypto/tokens";
import { newId } from "@/lib/ids";
import type { RequestLeaseInput } from "@/lib/validations/lease";
import { denyWithAudit } from "./deny";

export interface RequestLeaseOptions {
  bot: BotPrincipal;
  input: RequestLeaseInput;
  ip?: string | null;
  now?: () => Date;
}

export interface IssuedLease {
  id: string;
  secret: string;
  scope: string;
  status: "active";
  singleUse: boolean;
  expiresAt: string;
  leaseToken: string;
}

/** A lease waiting for human approval; the bot polls GET /api/leases/{id}. */
export interface PendingLease {
  id: string;
  status: "pending";
}

/** How long approvers have to decide before a pending request lapses. */
export const APPROVAL_WINDOW_MS = 24 * 60 * 60 * 1000;

export function needsApproval(
  policy: { approvalSecretIds: string[]; approvalTags: string[] },
  secret: { id: string; tags: string[] },
): boolean {
  return policy.approvalSecretIds.includes(secret.id) || secret.tags.some((t) => policy.approvalTags.includes(t));
}

interface Policy {
  maxTtlSeconds: number;
  defaultTtlSeconds: number;
  requireJustification: boolean;
  minJustificationLength: number;
  singleUseByDefault: boolean;
  approvalSecretIds: string[];
  approvalTags: string[];
  approvalsRequired: number;
}

interface CheckRow extends Policy {
  frozenAt: Date | null;
  mountId: string | null;
  grantId: string | null;
  grantMaxTtl: number | null;
  singleUseOnly: boolean | null;
  secretId: string | null;
  secretName: string | null;
  secretScope: string | null;
  tags: string[] | null;
}

const NOT_PERMITTED = "This bot is not permitted to lease that secret in that scope";

/** 201-style IssuedLease, or a PendingLease when a policy approval rule covers the secret. */
export async function requestLease(
  db: PrismaClient,
  { bot, input, ip = null, now = () => new Date() }: RequestLeaseOptions,
): Promise<IssuedLease | PendingLease> {
  const { orgId } = bot;
  const base = {
    orgId,
    type: "lease.denied",
    actor: { type: "bot" as const, id: bot.id },
    botId: bot.id,
    secretName: input.secret,
    scope: input.scope,
    justification: input.justification || null,
    ip,
  };

  const outcome = await transaction(db, async (tx) => {
    // Everything the decision needs, in one round trip. FOR SHARE on the bot: a
    // freeze or an incident sweep (which lock the bot rows for update) waits for
    // this lease to commit and then revokes it too. The org's audit lock is taken
    // only at the end, for the append, so bots do not queue behind each other's reads.
    const [row] = await tx.$queryRaw<CheckRow[]>`
      SELECT b."frozenAt", m."id" AS "mountId", g."id" AS "grantId", g."maxTtlSeconds" AS "grantMaxTtl", g."singleUseOnly",
             s."id" AS "secretId", s."name" AS "secretName", s."scope" AS "secretScope", s."tags",
             p."maxTtlSeconds", p."defaultTtlSeconds", p."requireJustification", p."minJustificationLength",
             p."singleUseByDefault", p."approvalSecretIds", p."approvalTags", p."approvalsRequired"
        FROM "Bot" b
        JOIN "Policy" p ON p."orgId" = b."orgId"
        LEFT JOIN "Mount" m ON m."orgId" = b."orgId" AND m."botId" = b."id" AND m."name" = ${input.mount ?? null}
        LEFT JOIN "Secret" s ON s."orgId" = b."orgId" AND s."name" = ${input.secret} AND s."scope" = ${input.scope}
        LEFT JOIN "Grant" g ON g."orgId" = b."orgId" AND g."botId" = b."id" AND g."secretId" = s."id"
                           -- A grant limited to a mount serves only leases requested through that mount.
                           AND (g."mountId" IS NULL OR g."mountId" = m."id")
       WHERE b."id" = ${bot.id} AND b."orgId" = ${orgId}
         FOR SHARE OF b`;
    if (!row) return { denied: "unauthenticated" as const };
    if (row.frozenAt) return { denied: "bot_frozen" as const };
    if (input.mount && !row.mountId) return { denied: "permission_denied" as const };
    if (!row.grantId || !row.secretId) return { denied: "permission_denied" as const };
    const mount = row.mountId ? { id: row.mountId } : null;
    const grant = {
      maxTtlSeconds: row.grantMaxTtl,
      singleUseOnly: row.singleUseOnly!,
      secret: { id: row.secretId, name: row.secretName!, scope: row.secretScope!, tags: row.tags ?? [] },
    };
    const policy = row as Policy;

    const justification = input.justification.trim();
    if (policy.requireJustification && justification.length < policy.minJustificationLength) {
      return {
        denied: "policy_denied" as const,
        secretId: grant.secret.id,
        message: `Policy requires a justification of at least ${policy.minJustificationLength} characters`,
      };
    }
    if (grant.singleUseOnly && input.singleUse === false) {
      return { denied: "policy_denied" as const, secretId: grant.secret.id, message: "This grant only allows single-use leases" };
    }

    const singleUse = input.singleUse ?? (grant.singleUseOnly || policy.singleUseByDefault);
    const requestedTtl = input.ttlSeconds ?? policy.defaultTtlSeconds;
    const ttlSeconds = Math.min(requestedTtl, policy.maxTtlSeconds, grant.maxTtlSeconds ?? Infinity);
    const issuedAt = now();
    // Under an approval rule the lease waits (its expiry is the approval deadline) and
    // gets its token only when the bot collects it after approval.
    const pending = needsApproval(policy, grant.secret);
    const expiresAt = new Date(issuedAt.getTime() + (pending ? APPROVAL_WINDOW_MS : ttlSeconds * 1000));
    const leaseToken = pending ? null : generateToken("rvl_");
    const id = newId("lse");

    await tx.lease.create({
      data: {
        id,
        orgId,
        botId: bot.id,
        secretId: grant.secret.id,
        secretName: grant.secret.name,
        scope: grant.secret.scope,
        tokenHash: leaseToken ? hashToken(leaseToken) : null,
        justification,
        singleUse,
        status: pending ? "pending" : "active",
        ttlSeconds,
        mountId: mount?.id ?? null,
        expiresAt,
        createdAt: issuedAt,
      },
      select: { id: true },
    });
    const common = { mount: input.mount ?? null, ttlSeconds, singleUse };
    await recordAuditEvent(tx, {
      ...base,
      type: pending ? "lease.requested" : "lease.granted",
      outcome: "success",
      secretId: grant.secret.id,
      leaseId: id,
      justification,
      data: pending
        ? { ...common, approvalsRequired: policy.approvalsRequired, approvalDeadline: expiresAt.toISOString() }
        : { ...common, requestedTtlSeconds: input.ttlSeconds ?? null, clamped: ttlSeconds < requestedTtl, expiresAt: expiresAt.toISOString() },
    });
    if (!leaseToken) return { pending: { id, status: "pending" as const } };
    const lease: IssuedLease = {
      id,
      secret: grant.secret.name,
      scope: grant.secret.scope,
      status: "active",
      singleUse,
      expiresAt: expiresAt.toISOString(),
      leaseToken,
    };
    return { lease };
  });

  if (outcome.lease) return outcome.lease;
  if (outcome.pending) return outcome.pending;
  switch (outcome.denied) {
    case "unauthenticated":
      // The bot was deleted between authentication and now: nothing in this org to audit against.
      return denyWithAudit(db, base, "unauthenticated", "A valid bot token is required");
    case "bot_frozen":
      return denyWithAudit(db, base, "bot_frozen", "This bot is frozen; an admin must unfreeze it");
    case "permission_denied":
      return denyWithAudit(db, base, "permission_denied", NOT_PERMITTED);
    default:
      return denyWithAudit(db, { ...base, secretId: outcome.secretId }, "policy_denied", outcome.message);
  }
}
