import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import { botSelect } from "./select";

export interface SetBotFrozenOptions {
  orgId: string;
  id: string;
  frozen: boolean;
  actor: Actor;
  reason?: string;
  ip?: string | null;
}

/** Freezing cuts the bot off at once: it revokes every active lease the bot holds. */
export async function setBotFrozen(tx: Prisma.TransactionClient, { orgId, id, frozen, actor, reason, ip }: SetBotFrozenOptions) {
  // One conditional write: a bot deleted in between is a 404, not Prisma's "record not found" 500.
  const { count } = await tx.bot.updateMany({ where: { id, orgId }, data: { frozenAt: frozen ? new Date() : null } });
  if (count === 0) throw new ApiError("not_found", "Bot not found");
  const bot = await tx.bot.findUniqueOrThrow({ where: { id }, select: botSelect });
  const revoked = frozen
    ? await tx.lease.updateMany({
        where: { orgId, botId: id, status: "active" },
        data: { status: "revoked", revokedAt: new Date(), revokeReason: reason ? `bot frozen: ${reason}` : "bot frozen" },
      })
    : { count: 0 };
  await recordAuditEvent(tx, {
    orgId,
    type: frozen ? "bot.frozen" : "bot.unfrozen",
    actor,
    botId: id,
    reason: reason ?? null,
    ip,
    data: frozen ? { leasesRevoked: revoked.count } : null,
  });
  return { ...bot, frozen: bot.frozenAt !== null, leasesRevoked: revoked.count };
}
