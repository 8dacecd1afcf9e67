import type { Db } from "@/lib/db/prisma";

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
      bot: { select: { name: true, createdBy: true, frozenAt: true } },
      approvals: { select: { userId: true, decision: true, createdAt: true }, orderBy: { createdAt: "asc" } },
    },
    orderBy: { createdAt: "asc" },
    take: 500,
  });
  return rows.map(({ bot, expiresAt, ...lease }) => ({
    ...lease,
    botName: bot.name,
    botCreatedBy: bot.createdBy,
    botFrozen: bot.frozenAt !== null,
    approvalDeadline: expiresAt,
    approvedBy: lease.approvals.filter((a) => a.decision === "approved").map((a) => a.userId),
  }));
}
