import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { generateToken, hashToken } from "@/lib/crypto/tokens";
import { newId } from "@/lib/ids";
import type { CreateBotInput } from "@/lib/validations/bot";
import { botSelect } from "./select";

export interface CreateBotOptions {
  orgId: string;
  actor: Actor;
  /** Without an environment, the bot's lease requests use scope "default" unless they name one. */
  input: Omit<CreateBotInput, "environment"> & { environment?: string };
  ip?: string | null;
}

/** Returns the bot with its `rvb_` token; this is the only time the token exists in clear. */
export async function createBot(tx: Prisma.TransactionClient, { orgId, actor, input, ip }: CreateBotOptions) {
  const token = generateToken("rvb_");
  const bot = await tx.bot.create({
    data: {
      id: newId("bot"),
      orgId,
      name: input.name,
      description: input.description,
      environment: input.environment ?? "default",
      tokenHash: hashToken(token),
      // Recorded so this user can never approve the bot's own lease requests.
      createdBy: actor.type === "user" ? actor.id : null,
      tokenIssuedBy: actor.type === "user" ? actor.id : null,
    },
    select: botSelect,
  });
  await recordAuditEvent(tx, { orgId, type: "bot.created", actor, botId: bot.id, ip, data: { name: bot.name, environment: bot.environment } });
  return { bot, token };
}
