// vault.read: the agent asks for a secret and gets the reference `{{secret:NAME}}` to put
// in tool arguments, after the same grant and policy checks as a lease request (and the
// same denial, lease.denied → vault.denied on the live stream, that never says whether
// the secret exists). Recorded as `vault.read`.
//
// The value comes back only when the grant is marked revealToAgent: through a single-use
// lease issued and resolved in this call (lease.granted, then lease.resolved, which the
// live stream shows as vault.accessed), with vault.read (revealed: true) recorded in the
// resolve's own statement. The value is never in an event.
//
// A secret under an approval rule is never revealed here: the answer is the reference
// with approvalRequired, and the tool call that uses it leases through the relay, which
// waits for the approval. A conversation cannot wait on humans, and approvals are per
// lease, so the reveal would otherwise bypass them.
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { sqlPool } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { appendAuditEvent, type AuditInput } from "@/lib/audit/record-audit-event";
import type { BotPrincipal } from "@/lib/auth/authenticate-bot";
import type { KeyProvider } from "@/lib/crypto/key-provider";
import { refuseReadsWhileSinkDown } from "@/lib/audit/sinks/sink-status";
import { checkLeaseRequest, needsApproval, requestLease } from "@/lib/leases/request-lease";
import { resolveLease } from "@/lib/leases/resolve-lease";
import type { VaultReadInput } from "@/lib/validations/vault";
import type { VaultReadResult } from "runtime-vault";
import { loadReferenceContext, secretReference } from "./secret-reference";

/** The reveal's lease lives only for this call; the policy and grant may cap it lower. */
const REVEAL_LEASE_TTL_SECONDS = 60;

export async function readVaultSecret(
  db: PrismaClient,
  { bot, input, ip = null, keys, now }: { bot: BotPrincipal; input: VaultReadInput; ip?: string | null; keys?: KeyProvider; now?: () => Date },
): Promise<VaultReadResult> {
  const mount = input.mount ?? null;
  const justification = input.justification.trim();
  const event: Omit<AuditInput, "outcome" | "reason"> = {
    orgId: bot.orgId,
    type: "lease.denied",
    actor: { type: "bot", id: bot.id },
    botId: bot.id,
    secretName: input.secret,
    scope: input.scope ?? null,
    justification: justification || null,
    ip,
    data: { via: "vault.read", mount },
  };
  const permitted = await checkLeaseRequest(db, { bot, input: { ...input, justification, singleUse: true }, event });
  const { secret } = permitted;
  const context = (await loadReferenceContext(db, { orgId: bot.orgId, botId: bot.id })) ?? { environment: permitted.environment, mappings: [] };
  const reference = secretReference(secret.name, secret.scope, context);
  const approvalRequired = needsApproval(permitted.policy, secret);
  const revealing = permitted.revealToAgent && !approvalRequired;
  const readEvent = (data: Record<string, unknown>): AuditInput => ({
    ...event,
    type: "vault.read",
    outcome: "success",
    secretId: secret.id,
    scope: secret.scope,
    data: { mount, reference, approvalRequired, ...data },
  });

  if (!revealing) {
    await appendAuditEvent(sqlPool(db), readEvent({ revealed: false, revealToAgent: permitted.revealToAgent }));
    return { secret: secret.name, scope: secret.scope, reference, approvalRequired, revealed: false };
  }

  // Fail closed like every other read of a value.
  refuseReadsWhileSinkDown();
  const lease = await requestLease(db, {
    bot,
    input: { secret: secret.name, scope: secret.scope, justification, singleUse: true, ttlSeconds: REVEAL_LEASE_TTL_SECONDS, ...(input.mount ? { mount: input.mount } : {}) },
    ip,
    now,
  });
  // An approval rule appeared since the check: that lease waits for humans, this call does not.
  if (lease.status === "pending") throw new ApiError("conflict", "The secret came under an approval rule while it was read; retry");
  const resolved = await resolveLease(db, {
    leaseId: lease.id,
    leaseToken: lease.leaseToken,
    ip,
    keys,
    now,
    reveal: ({ version }) => ({ ...readEvent({ revealed: true }), leaseId: lease.id, secretVersion: version }),
  });
  return { secret: secret.name, scope: secret.scope, reference, approvalRequired, revealed: true, value: resolved.value };
}
