import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";

export interface DeleteSecretOptions {
  orgId: string;
  id: string;
  actor: Actor;
  ip?: string | null;
}

/**
 * Revokes the secret's active leases, then removes it with its versions (the sealed
 * values are gone for good) and grants. Leases keep name and scope for history.
 */
export async function deleteSecret(tx: Prisma.TransactionClient, { orgId, id, actor, ip }: DeleteSecretOptions) {
  const secret = await tx.secret.findFirst({ where: { id, orgId }, select: { id: true, name: true, scope: true, currentVersion: true } });
  if (!secret) throw new ApiError("not_found", "Secret not found");
  const revoked = await tx.lease.updateMany({
    where: { orgId, secretId: id, status: "active" },
    data: { status: "revoked", revokedAt: new Date(), revokeReason: "secret deleted" },
  });
  const grants = await tx.grant.deleteMany({ where: { orgId, secretId: id } });
  await tx.secret.delete({ where: { id } });
  await recordAuditEvent(tx, {
    orgId,
    type: "secret.deleted",
    actor,
    secretId: id,
    secretName: secret.name,
    scope: secret.scope,
    secretVersion: secret.currentVersion,
    ip,
    data: { leasesRevoked: revoked.count, grantsRemoved: grants.count },
  });
  return { id, leasesRevoked: revoked.count, grantsRemoved: grants.count };
}
