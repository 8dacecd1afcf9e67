// The bot asks for a lease. Checks in the documented order: frozen bot, grant
// (a missing secret answers exactly like a missing grant), org policy; then the
// TTL is clamped to the policy's and the grant's maximum (Vault's max_ttl).
// Secrets under an approval rule get a pending lease instead: no token exists
// until enough humans approve (lib/approvals), then the bot collects it once.
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { sqlPool } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import type { BotPrincipal } from "@/lib/auth/authenticate-bot";
import { appendEventSql, appendEventValues, prepareAuditEvent, type AuditInput } from "@/lib/audit/record-audit-event";
import { generateToken, hashToken } from "@/lib/crypto/tokens";
import { newId } from "@/lib/ids";
import type { RequestLeaseInput } from "@/lib/validations/lease";
import type { IssuedLease, PendingLease } from "runtime-vault";
import { denyWithAudit } from "./deny";

export interface RequestLeaseOptions {
  bot: BotPrincipal;
  input: RequestLeaseInput;
  ip?: string | null;
  now?: () => Date;
}

// The API's answer shapes have one source: the client package the bots use.
export type { IssuedLease, PendingLease } from "runtime-vault";

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
  environment: string;
  /** The scope asked for, or the bot's environment when the request named none. */
  scope: string;
  mountId: string | null;
  /** False when the mount's mapping of this secret lists tools and the requested tool is not one. */
  toolAllowed: boolean;
  grantId: string | null;
  grantMaxTtl: number | null;
  singleUseOnly: boolean | null;
  revealToAgent: boolean | null;
  secretId: string | null;
  secretName: string | null;
  secretScope: string | null;
  tags: string[] | null;
}

// Names the scope tried (it may have come from the bot's environment), and says the same
// whether or not such a secret exists. Not the name: the caller has it, and echoing
// caller input into denials is what tenant-isolation checks forbid.
const notPermitted = (scope: string) => `This bot is not permitted to lease that secret in scope "${scope}"`;

// Everything the decision needs, in one round trip: bot, mount, grant, secret, policy.
export const CHECKS_SQL = `
  SELECT b."frozenAt", b."environment", COALESCE($3::text, b."environment") AS "scope", m."id" AS "mountId",
         -- A mapping's "tools" list limits which tool calls may reference the secret.
         CASE WHEN $6::text IS NULL OR m."id" IS NULL THEN true
              ELSE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(m."mappings") e
                                WHERE e->>'secret' = $2::text AND jsonb_typeof(e->'tools') = 'array' AND NOT (e->'tools') ? $6::text) END AS "toolAllowed",
         g."id" AS "grantId", g."maxTtlSeconds" AS "grantMaxTtl", g."singleUseOnly", g."revealToAgent",
         s."id" AS "secretId", s."name" AS "secretName", s."scope" AS "secretScope", s."tags",
         p."maxTtlSeconds", p."defaultTtlSeconds", p."requireJustification", p."minJustificationLength",
         p."singleUseByDefault", p."approvalSecretIds", p."approvalTags", p."approvalsRequired"
    FROM "Bot" b
    JOIN "Policy" p ON p."orgId" = b."orgId"
    LEFT JOIN "Mount" m ON m."orgId" = b."orgId" AND m."botId" = b."id" AND m."name" = $1::text
    LEFT JOIN "Secret" s ON s."orgId" = b."orgId" AND s."name" = $2::text AND s."scope" = COALESCE($3::text, b."environment")
    LEFT JOIN "Grant" g ON g."orgId" = b."orgId" AND g."botId" = b."id" AND g."secretId" = s."id"
                       -- A grant limited to a mount serves only leases requested through that mount.
                       AND (g."mountId" IS NULL OR g."mountId" = m."id")
   WHERE b."id" = $4::text AND b."orgId" = $5::text`;

// The lease and its audit event in one statement (so one commit, and the org's audit
// lock held only inside PostgreSQL). It re-checks, under a share lock on the bot, that
// the bot is not frozen and the grant still exists: a freeze or an incident sweep
// (which lock the bot rows for update) either sees this lease and revokes it too, or
// commits first and this inserts nothing.
export const ISSUE_SQL = `
  WITH rv_guard AS (
    SELECT b."id" FROM "Bot" b
     WHERE b."id" = $1::text AND b."orgId" = $2::text AND b."frozenAt" IS NULL
       AND EXISTS (SELECT 1 FROM "Grant" g WHERE g."id" = $3::text AND g."botId" = b."id")
       FOR SHARE OF b),
  rv_lease AS (
    INSERT INTO "Lease" ("id", "orgId", "botId", "secretId", "secretName", "scope", "tokenHash", "justification",
                         "singleUse", "status", "ttlSeconds", "mountId", "expiresAt", "createdAt", "mount", "tool")
    SELECT $4::text, $2::text, $1::text, $5::text, $6::text, $7::text, $8::text, $9::text,
           $10::boolean, $11::"LeaseStatus", $12::int, $13::text, $14::timestamp(3), $15::timestamp(3), $16::text, $17::text FROM rv_guard
    RETURNING "id"),
  ${appendEventSql(17, "rv_lease")}
  SELECT "id" FROM rv_event`;

export interface Permitted {
  denied?: undefined;
  grantId: string;
  mountId: string | null;
  secret: { id: string; name: string; scope: string; tags: string[] };
  maxTtlSeconds: number | null;
  singleUseOnly: boolean;
  revealToAgent: boolean;
  /** The bot's environment (the scope of requests that name none). */
  environment: string;
  policy: Policy;
}

type Decision =
  | { denied: "unauthenticated" | "bot_frozen" | "permission_denied" | "tool_not_allowed" }
  | { denied: "policy_denied"; secretId: string; message: string }
  | Permitted;

type CheckedInput = Pick<RequestLeaseInput, "secret" | "scope" | "mount" | "justification" | "singleUse" | "tool">;

function decide(row: CheckRow | undefined, input: CheckedInput): Decision {
  if (!row) return { denied: "unauthenticated" };
  if (row.frozenAt) return { denied: "bot_frozen" };
  if (input.mount && !row.mountId) return { denied: "permission_denied" };
  if (!row.toolAllowed) return { denied: "tool_not_allowed" };
  if (!row.grantId || !row.secretId) return { denied: "permission_denied" };
  const policy = row as Policy;
  const justification = input.justification.trim();
  if (policy.requireJustification && justification.length < policy.minJustificationLength) {
    return { denied: "policy_denied", secretId: row.secretId, message: `Policy requires a justification of at least ${policy.minJustificationLength} characters` };
  }
  if (row.singleUseOnly && input.singleUse === false) {
    return { denied: "policy_denied", secretId: row.secretId, message: "This grant only allows single-use leases" };
  }
  return {
    grantId: row.grantId,
    mountId: row.mountId,
    secret: { id: row.secretId, name: row.secretName!, scope: row.secretScope!, tags: row.tags ?? [] },
    maxTtlSeconds: row.grantMaxTtl,
    singleUseOnly: row.singleUseOnly!,
    revealToAgent: row.revealToAgent!,
    environment: row.environment,
    policy,
  };
}

/**
 * The grant and policy checks of a lease request, in one round trip: the decision when
 * permitted, else the denial recorded (as `event`, with outcome denied) and thrown. A
 * missing secret is refused exactly like a missing grant. Sets `event.scope` to the scope
 * checked. Shared by lease requests and vault.read.
 */
export async function checkLeaseRequest(
  db: PrismaClient,
  { bot, input, event }: { bot: BotPrincipal; input: CheckedInput; event: Omit<AuditInput, "outcome" | "reason"> },
): Promise<Permitted> {
  const { rows } = await sqlPool(db).query<CheckRow>({ name: "rv_lease_checks", text: CHECKS_SQL, values: [input.mount ?? null, input.secret, input.scope, bot.id, bot.orgId, input.tool ?? null] });
  const decision = decide(rows[0], input);
  if (rows[0]) event.scope = rows[0].scope;
  switch (decision.denied) {
    case "unauthenticated":
      // The bot was deleted between authentication and now.
      return denyWithAudit(db, event, "unauthenticated", "A valid bot token is required");
    case "bot_frozen":
      return denyWithAudit(db, event, "bot_frozen", "This bot is frozen; an admin must unfreeze it");
    case "permission_denied":
      return denyWithAudit(db, event, "permission_denied", notPermitted(event.scope ?? "default"));
    case "tool_not_allowed":
      // Decided before the grant: says nothing about whether the secret exists.
      return denyWithAudit(db, { ...event, data: { mount: input.mount, tool: input.tool } }, "permission_denied", "This mount does not let that tool receive that secret");
    case "policy_denied":
      return denyWithAudit(db, { ...event, secretId: decision.secretId }, "policy_denied", decision.message);
  }
  return decision;
}

/** 201-style IssuedLease, or a PendingLease when a policy approval rule covers the secret. */
export async function requestLease(
  db: PrismaClient,
  { bot, input, ip = null, now = () => new Date() }: RequestLeaseOptions,
): Promise<IssuedLease | PendingLease> {
  const { orgId } = bot;
  const sql = sqlPool(db);
  const base: Omit<AuditInput, "outcome" | "reason"> = {
    orgId,
    type: "lease.denied",
    actor: { type: "bot" as const, id: bot.id },
    botId: bot.id,
    secretName: input.secret,
    scope: input.scope ?? null,
    justification: input.justification || null,
    ip,
  };

  // A second pass only when the bot or grant changed between the checks and the insert;
  // it then answers with the new state's denial.
  for (let attempt = 0; attempt < 3; attempt++) {
    const decision = await checkLeaseRequest(db, { bot, input, event: base });
    const { policy, secret } = decision;
    const justification = input.justification.trim();
    const singleUse = input.singleUse ?? (decision.singleUseOnly || policy.singleUseByDefault);
    const requestedTtl = input.ttlSeconds ?? policy.defaultTtlSeconds;
    const ttlSeconds = Math.min(requestedTtl, policy.maxTtlSeconds, decision.maxTtlSeconds ?? Infinity);
    const issuedAt = now();
    // Under an approval rule the lease waits (its expiry is the approval deadline) and
    // gets its token only when the bot collects it after approval.
    const pending = needsApproval(policy, secret);
    const expiresAt = new Date(issuedAt.getTime() + (pending ? APPROVAL_WINDOW_MS : ttlSeconds * 1000));
    const leaseToken = pending ? null : generateToken("rvl_");
    const id = newId("lse");
    const common = { mount: input.mount ?? null, ...(input.tool ? { tool: input.tool } : {}), ttlSeconds, singleUse };
    const event = prepareAuditEvent(
      {
        ...base,
        type: pending ? "lease.requested" : "lease.granted",
        outcome: "success",
        secretId: secret.id,
        leaseId: id,
        justification,
        data: pending
          ? { ...common, approvalsRequired: policy.approvalsRequired, approvalDeadline: expiresAt.toISOString() }
          : { ...common, requestedTtlSeconds: input.ttlSeconds ?? null, clamped: ttlSeconds < requestedTtl, expiresAt: expiresAt.toISOString() },
      },
      issuedAt,
    );
    const issued = await sql.query({
      name: "rv_lease_issue",
      text: ISSUE_SQL,
      values: [
        bot.id, orgId, decision.grantId, id, secret.id, secret.name, secret.scope,
        leaseToken ? hashToken(leaseToken) : null, justification, singleUse, pending ? "pending" : "active",
        ttlSeconds, decision.mountId, expiresAt.toISOString(), issuedAt.toISOString(), input.mount ?? null, input.tool ?? null,
        ...appendEventValues(event),
      ],
    });
    if (issued.rows.length === 0) continue;
    if (!leaseToken) return { id, status: "pending" };
    return { id, secret: secret.name, scope: secret.scope, status: "active", singleUse, expiresAt: expiresAt.toISOString(), leaseToken };
  }
  throw new ApiError("conflict", "The bot or its grant kept changing while the lease was issued; retry");
}
