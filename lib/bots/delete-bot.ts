import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import { confirmMismatch } from "@/lib/secrets/delete-secret";

export interface DeleteBotOptions {
  orgId: string;
  id: string;
  actor: Actor;
  ip?: string | null;
  /** What a person typed to confirm (the web form): it must be the bot's exact name. The API does not ask. */
  confirmName?: string;
}

/**
 * Removes a bot with its grants and leases (the rows cascade). Its token stops
 * working at once; the audit trail keeps the bot's history under its id.
 */
export async function deleteBot(tx: Prisma.TransactionClient, { orgId, id, actor, ip, confirmName }: DeleteBotOptions) {
  // Locks the bot row first: lease issuance takes it FOR SHARE, so no lease can be
  // issued to the bot while it is being removed (or is counted below and then cascades).
  const [bot] = await tx.$queryRaw<{ id: string; name: string }[]>`
    SELECT "id", "name" FROM "Bot" WHERE "id" = ${id} AND "orgId" = ${orgId} FOR UPDATE`;
  if (!bot) throw new ApiError("not_found", "Bot not found");
  if (confirmName !== undefined && confirmName !== bot.name) throw confirmMismatch(bot.name);
  const [leases, grants] = await Promise.all([
    tx.lease.count({ where: { orgId, botId: id, status: { in: ["active", "pending"] } } }),
    tx.grant.count({ where: { orgId, botId: id } }),
  ]);
  await tx.bot.delete({ where: { id } });
  await recordAuditEvent(tx, { orgId, type: "bot.deleted", actor, botId: id, ip, data: { name: bot.name, openLeasesRemoved: leases, grantsRemoved: grants } });
  return { id, openLeasesRemoved: leases, grantsRemoved: grants };
}
