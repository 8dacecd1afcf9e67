import type { Db } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import type { BotPrincipal } from "@/lib/auth/authenticate-bot";
import type { VaultSecretList } from "runtime-vault";
import { secretReference, type ReferenceContext } from "./secret-reference";

/**
 * What the bot may lease, from its grants: names, scopes and references, never values.
 * Grants limited to a mount are listed only when asked through that mount, as only
 * then would a lease be granted. Not audited: it is the bot's own metadata, like its mounts.
 */
export async function listVaultSecrets(db: Db, { bot, mount }: { bot: BotPrincipal; mount?: string }): Promise<VaultSecretList> {
  if (bot.frozen) throw new ApiError("bot_frozen", "This bot is frozen; an admin must unfreeze it");
  const found = await db.bot.findFirst({
    where: { id: bot.id, orgId: bot.orgId },
    select: {
      environment: true,
      mounts: { where: { orgId: bot.orgId }, select: { mappings: true } },
      grants: {
        where: { orgId: bot.orgId, OR: [{ mountId: null }, ...(mount ? [{ mount: { name: mount, botId: bot.id } }] : [])] },
        select: { revealToAgent: true, secret: { select: { name: true, scope: true } }, mount: { select: { name: true } } },
      },
    },
  });
  // Deleted between authentication and now.
  if (!found) throw new ApiError("unauthenticated", "A valid bot token is required");
  const context: ReferenceContext = { environment: found.environment, mappings: found.mounts.flatMap((m) => m.mappings as unknown as ReferenceContext["mappings"]) };
  const secrets = found.grants
    .map((g) => ({
      name: g.secret.name,
      scope: g.secret.scope,
      reference: secretReference(g.secret.name, g.secret.scope, context),
      mount: g.mount?.name ?? null,
      revealToAgent: g.revealToAgent,
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.scope.localeCompare(b.scope));
  return { environment: found.environment, secrets };
}
