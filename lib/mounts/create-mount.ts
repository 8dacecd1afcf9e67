import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import { newId } from "@/lib/ids";
import type { CreateMountInput } from "@/lib/validations/mount";
import { mountSelect, presentMount } from "./select";

export interface CreateMountOptions {
  orgId: string;
  actor: Actor;
  input: CreateMountInput;
  ip?: string | null;
}

/** Stores an MCP server launch recipe for one bot. Secrets need not exist yet: leasing checks them. */
export async function createMount(tx: Prisma.TransactionClient, { orgId, actor, input, ip }: CreateMountOptions) {
  const bot = await tx.bot.findFirst({ where: { id: input.botId, orgId }, select: { id: true } });
  if (!bot) throw new ApiError("not_found", "Bot not found");
  const mount = await tx.mount.create({
    data: {
      id: newId("mnt"),
      orgId,
      name: input.name,
      botId: bot.id,
      command: input.command ?? null,
      args: input.args,
      url: input.url ?? null,
      headers: input.headers,
      mappings: input.mappings,
      justificationTemplate: input.justificationTemplate,
      ttlSeconds: input.ttlSeconds ?? null,
      // The command runs with the leased values: its authors may not approve those leases.
      editedBy: actor.type === "user" && actor.id ? [actor.id] : [],
    },
    select: mountSelect,
  });
  await recordAuditEvent(tx, {
    orgId,
    type: "mount.created",
    actor,
    botId: bot.id,
    ip,
    data: { mountId: mount.id, name: mount.name, ...(mount.url ? { url: mount.url } : { command: mount.command }), secrets: input.mappings.map((m) => (m.scope ? `${m.secret}@${m.scope}` : m.secret)) },
  });
  return presentMount(mount);
}
