import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import { generateToken, hashToken } from "@/lib/crypto/tokens";
import { botSelect } from "./select";

export interface RotateBotTokenOptions {
  orgId: string;
  id: string;
  actor: Actor;
  ip?: string | null;
}

/**
 * Replaces the bot's `rvb_` token; the old one stops working immediately. Leases
 * already issued keep their own tokens: revoke them too if the old token leaked.
 * Whoever rotates now holds the token, so they may no longer approve the bot's
 * requests, and approvals they gave before stop counting (lib/approvals).
 */
export async function rotateBotToken(tx: Prisma.TransactionClient, { orgId, id, actor, ip }: RotateBotTokenOptions) {
  const found = await tx.bot.findFirst({ where: { id, orgId }, select: { id: true } });
  if (!found) throw new ApiError("not_found", "Bot not found");
  const token = generateToken("rvb_");
  const bot = await tx.bot.update({ where: { id }, data: { tokenHash: hashToken(token), tokenRotatedAt: new Date(), tokenIssuedBy: actor.type === "user" ? actor.id : null }, select: botSelect });
  await recordAuditEvent(tx, { orgId, type: "bot.token_rotated", actor, botId: id, ip });
  return { bot, token };
}
