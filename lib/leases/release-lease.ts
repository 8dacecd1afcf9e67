import type { PrismaClient } from "@/lib/generated/prisma/client";
import { transaction } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";

export const RELEASED_REASON = "released by bot";

/**
 * The bot hands a lease back early. Idempotent: releasing an ended lease changes nothing.
 * Its own status, `released`, not `revoked`: nobody cut the bot off, so incident counts
 * and the revoked filter leave it out. revokedAt/revokeReason still say when it ended.
 */
export async function releaseLease(db: PrismaClient, { orgId, botId, id, ip = null }: { orgId: string; botId: string; id: string; ip?: string | null }) {
  await transaction(db, async (tx) => {
    const lease = await tx.lease.findFirst({ where: { id, orgId, botId }, select: { id: true, secretId: true, secretName: true, scope: true } });
    if (!lease) throw new ApiError("not_found", "Lease not found");
    const { count } = await tx.lease.updateMany({
      where: { id, status: "active" },
      data: { status: "released", revokedAt: new Date(), revokeReason: RELEASED_REASON },
    });
    if (count === 0) return;
    await recordAuditEvent(tx, {
      orgId,
      type: "lease.released",
      actor: { type: "bot", id: botId },
      botId,
      secretId: lease.secretId,
      secretName: lease.secretName,
      scope: lease.scope,
      leaseId: id,
      ip,
    });
  });
}
