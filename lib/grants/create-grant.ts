import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import { newId } from "@/lib/ids";
import type { CreateGrantInput } from "@/lib/validations/grant";
import { grantSelect } from "./select";

export interface CreateGrantOptions {
  orgId: string;
  actor: Actor;
  /** revealToAgent may be left out (off). */
  input: Omit<CreateGrantInput, "revealToAgent"> & { revealToAgent?: boolean };
  ip?: string | null;
}

/** Permits a bot to request leases on one secret (one name in one scope). */
export async function createGrant(tx: Prisma.TransactionClient, { orgId, actor, input, ip }: CreateGrantOptions) {
  const [bot, secret] = await Promise.all([
    tx.bot.findFirst({ where: { id: input.botId, orgId }, select: { id: true } }),
    tx.secret.findFirst({ where: { id: input.secretId, orgId }, select: { id: true, name: true, scope: true } }),
  ]);
  if (!bot) throw new ApiError("not_found", "Bot not found");
  if (!secret) throw new ApiError("not_found", "Secret not found");
  if (input.mountId) {
    const mount = await tx.mount.findFirst({ where: { id: input.mountId, orgId }, select: { botId: true } });
    if (!mount) throw new ApiError("not_found", "Mount not found");
    // A grant limited to another bot's mount could never serve a lease: refuse it.
    if (mount.botId !== bot.id) throw new ApiError("validation_failed", "The mount belongs to another bot");
  }
  const grant = await tx.grant.create({
    data: {
      id: newId("grt"),
      orgId,
      botId: bot.id,
      secretId: secret.id,
      maxTtlSeconds: input.maxTtlSeconds ?? null,
      singleUseOnly: input.singleUseOnly,
      mountId: input.mountId ?? null,
      revealToAgent: input.revealToAgent ?? false,
      // Whoever chose what the bot may lease may not also approve those leases.
      createdBy: actor.type === "user" ? actor.id : null,
    },
    select: grantSelect,
  });
  await recordAuditEvent(tx, {
    orgId,
    type: "grant.created",
    actor,
    botId: bot.id,
    secretId: secret.id,
    secretName: secret.name,
    scope: secret.scope,
    ip,
    data: { grantId: grant.id, maxTtlSeconds: grant.maxTtlSeconds, singleUseOnly: grant.singleUseOnly, mountId: grant.mountId, revealToAgent: grant.revealToAgent },
  });
  return grant;
}
