import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";

/** Removes a permission. Leases already issued stay until they expire or are revoked. */
export async function deleteGrant(tx: Prisma.TransactionClient, { orgId, id, actor, ip }: { orgId: string; id: string; actor: Actor; ip?: string | null }) {
  const grant = await tx.grant.findFirst({
    where: { id, orgId },
    select: { id: true, botId: true, secretId: true, secret: { select: { name: true, scope: true } } },
  });
  if (!grant) throw new ApiError("not_found", "Grant not found");
  await tx.grant.delete({ where: { id } });
  await recordAuditEvent(tx, {
    orgId,
    type: "grant.deleted",
    actor,
    botId: grant.botId,
    secretId: grant.secretId,
    secretName: grant.secret.name,
    scope: grant.secret.scope,
    ip,
    data: { grantId: id },
  });
  return { id };
}
