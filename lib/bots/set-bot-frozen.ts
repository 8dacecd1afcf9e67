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
  const found = await tx.bot.findFirst({ where: { id, orgId }, select: { id: true } });
  if (!found) throw new ApiError("not_found", "Bot not found");
  const bot = await tx.bot.update({ where: { id }, data: { frozenAt: frozen ? new Date() : null }, select: botSelect });
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
