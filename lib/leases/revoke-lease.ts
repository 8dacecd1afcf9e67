import type { Prisma } from "@/lib/generated/prisma/client";
import { ApiError } from "@/lib/api/errors";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { leaseSelect, presentLease } from "./lease-status";

export interface RevokeLeaseOptions {
  orgId: string;
  id: string;
  actor: Actor;
  reason?: string;
  ip?: string | null;
}

/** Revocation takes effect at the next resolve: there is no cache between. Idempotent. */
export async function revokeLease(tx: Prisma.TransactionClient, { orgId, id, actor, reason, ip }: RevokeLeaseOptions) {
  const lease = await tx.lease.findFirst({ where: { id, orgId }, select: { id: true, botId: true, secretId: true, secretName: true, scope: true } });
  if (!lease) throw new ApiError("not_found", "Lease not found");
  const { count } = await tx.lease.updateMany({
    // A pending request is cancelled the same way, so it can no longer be approved.
    where: { id, orgId, status: { in: ["active", "pending"] } },
    data: { status: "revoked", revokedAt: new Date(), revokeReason: reason ?? "revoked by admin" },
  });
  if (count > 0) {
    await recordAuditEvent(tx, {
      orgId,
      type: "lease.revoked",
      actor,
      botId: lease.botId,
      secretId: lease.secretId,
      secretName: lease.secretName,
      scope: lease.scope,
      leaseId: id,
      reason: reason ?? null,
      ip,
    });
  }
  const updated = await tx.lease.findUniqueOrThrow({ where: { id }, select: leaseSelect });
  return { ...presentLease(updated), revoked: count > 0 };
}
