import type { Db } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";

const BOT_ID = /^bot_[0-9a-f]{24}$/;

/** The reference API's agent: one of the org's bots, named by id or by name. */
export async function findAgentOrThrow(db: Db, { orgId, agent }: { orgId: string; agent: string }) {
  const bot = await db.bot.findFirst({ where: { orgId, ...(BOT_ID.test(agent) ? { id: agent } : { name: agent }) }, select: { id: true } });
  if (!bot) throw new ApiError("not_found", "Agent not found");
  return bot;
}
