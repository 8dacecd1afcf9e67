import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import { mountRecipeIssues, type UpdateMountInput } from "@/lib/validations/mount";
import { mountSelect, presentMount } from "./select";

export interface UpdateMountOptions {
  orgId: string;
  id: string;
  actor: Actor;
  input: UpdateMountInput;
  ip?: string | null;
}

export async function updateMount(tx: Prisma.TransactionClient, { orgId, id, actor, input, ip }: UpdateMountOptions) {
  const current = await tx.mount.findFirst({ where: { id, orgId }, select: { command: true, url: true, args: true, headers: true, mappings: true, botId: true, editedBy: true } });
  if (!current) throw new ApiError("not_found", "Mount not found");
  // Command or url, args, headers and mappings reference each other: check the recipe as it will be stored.
  const merged = presentMount({
    command: input.command !== undefined ? input.command : current.command,
    url: input.url !== undefined ? input.url : current.url,
    args: input.args ?? current.args,
    headers: input.headers ?? current.headers,
    mappings: input.mappings ?? current.mappings,
  });
  const issues = mountRecipeIssues(merged);
  if (issues.length > 0) {
    throw new ApiError("validation_failed", "Request is invalid", { issues: issues.map((message) => ({ path: ["mappings"], code: "custom", message })) });
  }
  const mount = await tx.mount.update({
    where: { id },
    data: {
      ...(input.command !== undefined ? { command: input.command } : {}),
      ...(input.args !== undefined ? { args: input.args } : {}),
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.headers !== undefined ? { headers: input.headers } : {}),
      ...(input.mappings !== undefined ? { mappings: input.mappings } : {}),
      ...(input.justificationTemplate !== undefined ? { justificationTemplate: input.justificationTemplate } : {}),
      ...(input.ttlSeconds !== undefined ? { ttlSeconds: input.ttlSeconds } : {}),
      // Every author of the recipe, not just the last: a later harmless edit must not
      // clear the author of the command that actually runs.
      ...(actor.type === "user" && actor.id && !current.editedBy.includes(actor.id) ? { editedBy: { push: actor.id } } : {}),
    },
    select: mountSelect,
  });
  await recordAuditEvent(tx, {
    orgId,
    type: "mount.updated",
    actor,
    botId: current.botId,
    ip,
    data: { mountId: id, name: mount.name, changed: Object.keys(input).filter((k) => input[k as keyof UpdateMountInput] !== undefined) },
  });
  return presentMount(mount);
}
