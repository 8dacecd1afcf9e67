// One click in an incident: revoke every lease of a bot, a secret or the org and,
// if asked, freeze the bots involved so they cannot simply ask again. All in one
// transaction: either everything is cut off and audited, or nothing changed.
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/audit/record-audit-event";
import { revokeLeases } from "@/lib/leases/revoke-leases";
import { setBotFrozen } from "@/lib/bots/set-bot-frozen";
import type { IncidentInput } from "@/lib/validations/incident";

export interface RevokeAllOptions {
  orgId: string;
  actor: Actor;
  input: IncidentInput;
  ip?: string | null;
}

async function botsToFreeze(tx: Prisma.TransactionClient, orgId: string, target: IncidentInput["target"]): Promise<string[]> {
  if ("botId" in target) return [target.botId];
  // For a secret: every bot that could lease it again, i.e. holds a grant on it.
  const where: Prisma.BotWhereInput = "secretId" in target ? { orgId, frozenAt: null, grants: { some: { secretId: target.secretId } } } : { orgId, frozenAt: null };
  return (await tx.bot.findMany({ where, select: { id: true } })).map((b) => b.id);
}

export async function revokeAll(tx: Prisma.TransactionClient, { orgId, actor, input, ip }: RevokeAllOptions) {
  const { revoked } = await revokeLeases(tx, { orgId, actor, input: input.target, ip });
  const frozen: string[] = [];
  if (input.freezeBots) {
    for (const id of await botsToFreeze(tx, orgId, input.target)) {
      await setBotFrozen(tx, { orgId, id, frozen: true, actor, reason: `incident: ${input.target.reason}`, ip });
      frozen.push(id);
    }
  }
  return { revoked, frozenBots: frozen.length };
}
