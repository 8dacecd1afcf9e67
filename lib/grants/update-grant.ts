import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import type { UpdateGrantInput } from "@/lib/validations/grant";
import { grantSelect } from "./select";

/**
 * Changes what a grant allows beyond leasing: today only revealToAgent (vault.read
 * returns the plaintext to the agent). Audited with the value before and after.
 */
export async function updateGrant(tx: Prisma.TransactionClient, { orgId, id, actor, input, ip }: { orgId: string; id: string; actor: Actor; input: UpdateGrantInput; ip?: string | null }) {
  // Locked, so two concurrent changes record the right "before".
  const [before] = await tx.$queryRaw<{ revealToAgent: boolean }[]>`SELECT "revealToAgent" FROM "Grant" WHERE "id" = ${id} AND "orgId" = ${orgId} FOR UPDATE`;
  if (!before) throw new ApiError("not_found", "Grant not found");
  const grant = await tx.grant.update({ where: { id }, data: { revealToAgent: input.revealToAgent }, select: grantSelect });
  await recordAuditEvent(tx, {
    orgId,
    type: "grant.updated",
    actor,
    botId: grant.botId,
    secretId: grant.secretId,
    secretName: grant.secret.name,
    scope: grant.secret.scope,
    ip,
    data: { grantId: id, revealToAgent: grant.revealToAgent, previous: { revealToAgent: before.revealToAgent } },
  });
  return grant;
}
