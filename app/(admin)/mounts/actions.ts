"use server";
import { prisma, transaction } from "@/lib/db/prisma";
import { runAction } from "@/lib/forms/run-action";
import type { FormState } from "@/lib/forms/form-state";
import { int, text } from "@/lib/forms/read-form";
import { createMount } from "@/lib/mounts/create-mount";
import { deleteMount } from "@/lib/mounts/delete-mount";
import { idSchema } from "@/lib/validations/common";
import { createMountSchema } from "@/lib/validations/mount";

const lines = (value: string | undefined) => (value ?? "").split("\n").map((l) => l.trim()).filter(Boolean);

/** "ACCOUNTING_API_KEY@production=ACCOUNTING_KEY": secret, optional scope, optional env name. */
function parseMapping(line: string) {
  const match = /^([^@=\s]+)(?:@([^=\s]+))?(?:=(\S+))?$/.exec(line);
  if (!match) return { secret: line };
  return { secret: match[1], ...(match[2] ? { scope: match[2] } : {}), env: match[3] ?? null };
}

export async function createMountAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("grants:write", "create mount", async ({ user, actor, ip }) => {
    const input = createMountSchema.parse({
      name: text(fd, "name"),
      botId: text(fd, "botId"),
      command: text(fd, "command"),
      args: lines(text(fd, "args")),
      mappings: lines(text(fd, "mappings")).map(parseMapping),
      justificationTemplate: text(fd, "justificationTemplate"),
      ttlSeconds: int(fd, "ttlSeconds"),
    });
    const mount = await transaction(prisma, (tx) => createMount(tx, { orgId: user.orgId, actor, input, ip }));
    return { ok: true, message: `Mount ${mount.name} created. Paste its client configuration below into your MCP client.` };
  }, fd);
}

export async function deleteMountAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("grants:write", "delete mount", async ({ user, actor, ip }) => {
    const id = idSchema("mnt").parse(text(fd, "id"));
    await transaction(prisma, (tx) => deleteMount(tx, { orgId: user.orgId, id, actor, ip }));
    return { ok: true, message: "Mount deleted; grants limited to it are gone too." };
  });
}
