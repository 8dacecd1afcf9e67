import type { Db } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { botSelect } from "./select";

export async function getBotOrThrow(db: Db, { orgId, id }: { orgId: string; id: string }) {
  const bot = await db.bot.findFirst({ where: { id, orgId }, select: botSelect });
  if (!bot) throw new ApiError("not_found", "Bot not found");
  return { ...bot, frozen: bot.frozenAt !== null };
}
