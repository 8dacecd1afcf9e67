import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import type { UpdateBotInput } from "@/lib/validations/bot";
import { botSelect } from "./select";

export interface UpdateBotOptions {
  orgId: string;
  id: string;
  actor: Actor;
  input: UpdateBotInput;
  ip?: string | null;
}

/**
 * Changes a bot's description or environment. A new environment applies to lease
 * requests from now on; leases already issued keep the scope they were issued for.
 */
export async function updateBot(tx: Prisma.TransactionClient, { orgId, id, actor, input, ip }: UpdateBotOptions) {
  const before = await tx.bot.findFirst({ where: { id, orgId }, select: { environment: true, description: true } });
  if (!before) throw new ApiError("not_found", "Bot not found");
  const bot = await tx.bot.update({ where: { id }, data: input, select: botSelect });
  const changed: Record<string, { from: string; to: string }> = {};
  if (input.environment !== undefined && input.environment !== before.environment) changed.environment = { from: before.environment, to: input.environment };
  if (input.description !== undefined && input.description !== before.description) changed.description = { from: before.description, to: input.description };
  if (Object.keys(changed).length > 0) await recordAuditEvent(tx, { orgId, type: "bot.updated", actor, botId: id, ip, data: { name: bot.name, ...changed } });
  return bot;
}
