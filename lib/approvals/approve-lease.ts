// One admin approves a pending lease. With enough distinct eligible approvers (the
// policy's approvalsRequired, never fewer than one; see approver-exclusions.ts for who
// may not approve and whose approval lapses) the lease becomes active for its TTL
// from now; its token is minted when the bot collects it (lib/leases/collect-lease).
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { transaction } from "@/lib/db/prisma";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { denyWithAudit } from "@/lib/leases/deny";
import { getPolicyOrThrow } from "@/lib/policy/get-policy";
import { newId } from "@/lib/ids";
import { loadPendingLease } from "./load-pending-lease";
import { countEligibleApprovals } from "./approver-exclusions";

export interface DecideLeaseOptions {
  orgId: string;
  leaseId: string;
  userId: string;
  reason?: string | null;
  ip?: string | null;
  now?: () => Date;
}

export async function approveLease(db: PrismaClient, { orgId, leaseId, userId, reason = null, ip = null, now = () => new Date() }: DecideLeaseOptions) {
  const at = now();
  const outcome = await transaction(db, async (tx) => {
    const { lease, refusal, exclusions } = await loadPendingLease(tx, { orgId, leaseId, userId, now: at });
    const event = { orgId, actor: { type: "user" as const, id: userId }, botId: lease.botId, secretId: lease.secretId, secretName: lease.secretName, scope: lease.scope, leaseId, ip };
    if (refusal) return { refusal, event };
    if (exclusions.blocked) return { refusal: { code: "conflict" as const, message: exclusions.blocked }, event };
    if (lease.bot.frozenAt) return { refusal: { code: "conflict" as const, message: "The bot is frozen; unfreeze it before approving" }, event };
    const already = await tx.approval.findUnique({ where: { leaseId_userId: { leaseId, userId } }, select: { id: true } });
    if (already) return { refusal: { code: "conflict" as const, message: "You already approved this request" }, event };
    await tx.approval.create({ data: { id: newId("apr"), orgId, leaseId, userId, decision: "approved", reason, createdAt: at } });
    // Earlier approvals by someone since excluded (they rotated the token, recreated the
    // grant, edited the mount) or no longer allowed to decide do not count.
    const approvals = await countEligibleApprovals(tx, { orgId, leaseId, excluded: exclusions.excluded });
    const { approvalsRequired } = await getPolicyOrThrow(tx, { orgId });
    const required = Math.max(1, approvalsRequired);
    const activated = approvals >= required;
    const expiresAt = activated ? new Date(at.getTime() + lease.ttlSeconds * 1000) : lease.expiresAt;
    if (activated) {
      await tx.lease.update({ where: { id: leaseId }, data: { status: "active", decidedAt: at, expiresAt } });
    }
    await recordAuditEvent(tx, {
      ...event,
      type: activated ? "lease.approved" : "lease.approval_recorded",
      justification: lease.justification,
      reason,
      data: { approvals, required, ...(activated ? { expiresAt: expiresAt.toISOString(), ttlSeconds: lease.ttlSeconds } : {}) },
    });
    return { result: { id: leaseId, status: activated ? ("active" as const) : ("pending" as const), approvals, required, expiresAt } };
  });
  if (outcome.result) return outcome.result;
  const { event, refusal } = outcome as { event: NonNullable<typeof outcome.event>; refusal: NonNullable<typeof outcome.refusal> };
  return denyWithAudit(db, { ...event, type: "lease.approval_refused" }, refusal.code, refusal.message);
}
