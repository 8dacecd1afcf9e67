// One admin's "no" ends a pending request: approvals need everyone, denial needs one.
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { transaction } from "@/lib/db/prisma";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { denyWithAudit } from "@/lib/leases/deny";
import { newId } from "@/lib/ids";
import { loadPendingLease } from "./load-pending-lease";
import type { DecideLeaseOptions } from "./approve-lease";

export async function denyLease(db: PrismaClient, { orgId, leaseId, userId, reason = null, ip = null, now = () => new Date() }: DecideLeaseOptions) {
  const at = now();
  const outcome = await transaction(db, async (tx) => {
    const { lease, refusal } = await loadPendingLease(tx, { orgId, leaseId, userId, now: at });
    const event = { orgId, actor: { type: "user" as const, id: userId }, botId: lease.botId, secretId: lease.secretId, secretName: lease.secretName, scope: lease.scope, leaseId, ip };
    if (refusal) return { refusal, event };
    await tx.approval.upsert({
      where: { leaseId_userId: { leaseId, userId } },
      create: { id: newId("apr"), orgId, leaseId, userId, decision: "denied", reason, createdAt: at },
      update: { decision: "denied", reason },
    });
    await tx.lease.update({ where: { id: leaseId }, data: { status: "denied", decidedAt: at } });
    await recordAuditEvent(tx, { ...event, type: "lease.rejected", outcome: "denied", justification: lease.justification, reason });
    return { result: { id: leaseId, status: "denied" as const } };
  });
  if (outcome.result) return outcome.result;
  const { event, refusal } = outcome as { event: NonNullable<typeof outcome.event>; refusal: NonNullable<typeof outcome.refusal> };
  return denyWithAudit(db, { ...event, type: "lease.approval_refused" }, refusal.code, refusal.message);
}
