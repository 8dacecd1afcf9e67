import type { Db } from "@/lib/db/prisma";
import { digestsEqual, hashToken } from "@/lib/crypto/tokens";

export interface BotPrincipal {
  id: string;
  orgId: string;
  name: string;
  frozen: boolean;
}

/** The bot owning an `rvb_` token, or null. Frozen bots authenticate; callers decide. */
export async function authenticateBot(db: Db, token: string): Promise<BotPrincipal | null> {
  const tokenHash = hashToken(token);
  const bot = await db.bot.findUnique({
    where: { tokenHash },
    select: { id: true, orgId: true, name: true, frozenAt: true, tokenHash: true },
  });
  if (!bot || !digestsEqual(bot.tokenHash, tokenHash)) return null;
  return { id: bot.id, orgId: bot.orgId, name: bot.name, frozen: bot.frozenAt !== null };
}
