import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import { assertMayRemoveApprovalCoverage } from "@/lib/approvals/approval-coverage";
import { needsApproval } from "@/lib/leases/request-lease";
import { getPolicyOrThrow } from "@/lib/policy/get-policy";

export interface DeleteSecretOptions {
  orgId: string;
  id: string;
  actor: Actor;
  ip?: string | null;
  /**
   * What a person typed to confirm (the web form): it must be the secret's exact name.
   * The admin API, driven by scripts that already name the id, does not ask for it.
   */
  confirmName?: string;
}

export function confirmMismatch(name: string) {
  return new ApiError("validation_failed", "The name you typed does not match; nothing was deleted.", {
    issues: [{ path: ["confirm"], message: `Type ${name} exactly to confirm` }],
  });
}

/**
 * Revokes the secret's active leases, then removes it with its versions (the sealed
 * values are gone for good) and grants. Leases keep name and scope for history.
 */
export async function deleteSecret(tx: Prisma.TransactionClient, { orgId, id, actor, ip, confirmName }: DeleteSecretOptions) {
  const secret = await tx.secret.findFirst({ where: { id, orgId }, select: { id: true, name: true, scope: true, currentVersion: true, tags: true } });
  if (!secret) throw new ApiError("not_found", "Secret not found");
  if (confirmName !== undefined && confirmName !== secret.name) throw confirmMismatch(secret.name);
  // A secret recreated under the same name has a new id, outside any id rule, and its
  // creator chooses its tags: deleting a gated secret removes its approval coverage.
  const gated = needsApproval(await getPolicyOrThrow(tx, { orgId }), secret);
  if (gated) {
    await assertMayRemoveApprovalCoverage(tx, {
      orgId,
      actor,
      ip,
      what: "delete a secret under an approval rule",
      event: { secretId: id, secretName: secret.name, scope: secret.scope },
    });
  }
  const revoked = await tx.lease.updateMany({
    where: { orgId, secretId: id, status: "active" },
    data: { status: "revoked", revokedAt: new Date(), revokeReason: "secret deleted" },
  });
  const grants = await tx.grant.deleteMany({ where: { orgId, secretId: id } });
  await tx.secret.delete({ where: { id } });
  // The approval rule names only existing secrets (updatePolicy refuses others): drop this one.
  await tx.$executeRaw`UPDATE "Policy" SET "approvalSecretIds" = array_remove("approvalSecretIds", ${id}) WHERE "orgId" = ${orgId} AND ${id} = ANY("approvalSecretIds")`;
  await recordAuditEvent(tx, {
    orgId,
    type: "secret.deleted",
    actor,
    secretId: id,
    secretName: secret.name,
    scope: secret.scope,
    secretVersion: secret.currentVersion,
    ip,
    data: { leasesRevoked: revoked.count, grantsRemoved: grants.count, ...(gated ? { approvalCoverageRemoved: true } : {}) },
  });
  return { id, leasesRevoked: revoked.count, grantsRemoved: grants.count };
}
