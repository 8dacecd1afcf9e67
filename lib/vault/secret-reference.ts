// The text an agent puts in tool arguments for the relay (`runtime-vault mcp run`) to
// replace with the value. A reference without `@scope` is leased in the scope the mount
// maps that secret in, else in the bot's environment (as a lease request naming no
// scope). So the scope is written out unless every way the reference can be used leases
// that very scope: it is the bot's environment, and no mount of the bot maps the name in
// another scope.
import type { Db } from "@/lib/db/prisma";
import { formatReference } from "runtime-vault";

export interface ReferenceContext {
  environment: string;
  /** The mappings of all the bot's mounts (the gateway may relay through any of them). */
  mappings: { secret: string; scope?: string }[];
}

export function secretReference(name: string, scope: string, { environment, mappings }: ReferenceContext): string {
  const implicit = scope === environment && mappings.every((m) => m.secret !== name || (m.scope ?? environment) === scope);
  return formatReference(name, implicit ? undefined : scope);
}

/** The bot's environment and mount mappings; null when the bot is gone. */
export async function loadReferenceContext(db: Db, { orgId, botId }: { orgId: string; botId: string }): Promise<ReferenceContext | null> {
  const bot = await db.bot.findFirst({ where: { id: botId, orgId }, select: { environment: true, mounts: { where: { orgId }, select: { mappings: true } } } });
  if (!bot) return null;
  return { environment: bot.environment, mappings: bot.mounts.flatMap((m) => m.mappings as unknown as ReferenceContext["mappings"]) };
}
