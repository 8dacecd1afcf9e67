import type { Db } from "@/lib/db/prisma";
import { approverExclusions, loadApprovalContexts } from "./approver-exclusions";

/** Requests still inside their approval window, oldest first (first come, first decided). */
export async function listPendingLeases(db: Db, { orgId, now = new Date() }: { orgId: string; now?: Date }) {
  const rows = await db.lease.findMany({
    where: { orgId, status: "pending", expiresAt: { gt: now } },
    select: {
      id: true,
      botId: true,
      secretId: true,
      secretName: true,
      scope: true,
      justification: true,
      singleUse: true,
      ttlSeconds: true,
      expiresAt: true,
      createdAt: true,
      mountId: true,
      bot: { select: { name: true, createdBy: true, frozenAt: true } },
      approvals: { select: { userId: true, decision: true, createdAt: true }, orderBy: { createdAt: "asc" } },
    },
    orderBy: { createdAt: "asc" },
    take: 500,
  });
  const contexts = await loadApprovalContexts(db, { orgId, leases: rows });
  return rows.map(({ bot, expiresAt, ...lease }, i) => {
    const { excluded, blocked } = approverExclusions(contexts[i]);
    return {
      ...lease,
      botName: bot.name,
      botCreatedBy: bot.createdBy,
      botFrozen: bot.frozenAt !== null,
      approvalDeadline: expiresAt,
      // Approvals by someone since excluded no longer count, so they are not listed.
      approvedBy: lease.approvals.filter((a) => a.decision === "approved" && !excluded.has(a.userId)).map((a) => a.userId),
      /** userId → why that member may not decide this request. */
      excludedApprovers: Object.fromEntries(excluded),
      /** Why nobody can approve it at all, if so. */
      approvalBlocked: blocked,
    };
  });
}
