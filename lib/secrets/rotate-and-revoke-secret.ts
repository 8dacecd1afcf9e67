// The leaked-secret response in one step: revoke every active (and pending) lease of the
// secret, store the new value as the next version, and say which bots get it on their next
// lease. One transaction: both happen, with their audit events (leases.revoked,
// secret.rotated), or neither does.
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/audit/record-audit-event";
import type { KeyProvider } from "@/lib/crypto/key-provider";
import { revokeLeases } from "@/lib/leases/revoke-leases";
import { updateSecret } from "./update-secret";

export interface RotateAndRevokeOptions {
  orgId: string;
  id: string;
  actor: Actor;
  /** The new value: sealed, never returned or logged. */
  value: string;
  reason: string;
  ip?: string | null;
  keys?: KeyProvider;
}

export async function rotateAndRevokeSecret(tx: Prisma.TransactionClient, { orgId, id, actor, value, reason, ip, keys }: RotateAndRevokeOptions) {
  // Revoke first: revokeLeases locks the bots that could lease the secret, so no lease of
  // the old value can be issued between the two steps.
  const { revoked } = await revokeLeases(tx, { orgId, actor, input: { secretId: id, reason }, ip });
  const secret = await updateSecret(tx, { orgId, id, actor, input: { value }, ip, ...(keys ? { keys } : {}) });
  const grants = await tx.grant.findMany({
    where: { orgId, secretId: id },
    select: { bot: { select: { id: true, name: true, frozenAt: true } } },
    orderBy: { bot: { name: "asc" } },
  });
  return {
    name: secret.name,
    scope: secret.scope,
    version: secret.currentVersion,
    revoked,
    /** The bots whose next lease gets the new version (frozen ones only once unfrozen). */
    bots: grants.map((g) => ({ id: g.bot.id, name: g.bot.name, frozen: g.bot.frozenAt !== null })),
  };
}
