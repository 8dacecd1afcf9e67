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

/**
 * "STRIPE_KEY@production=STRIPE_KEY:create_invoice,refund": secret, optional scope,
 * optional env name, optional list of the tools whose calls may reference it.
 */
function parseMapping(line: string) {
  const match = /^([^@=:\s]+)(?:@([^=:\s]+))?(?:=([^:\s]+))?(?::(\S*))?$/.exec(line);
  if (!match) return { secret: line };
  const tools = match[4] !== undefined ? { tools: match[4].split(",").filter(Boolean) } : {};
  return { secret: match[1], ...(match[2] ? { scope: match[2] } : {}), env: match[3] ?? null, ...tools };
}

/** "Authorization: Bearer {{secret:TOKEN}}" per line. */
function parseHeaders(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines(value)) {
    const colon = line.indexOf(":");
    if (colon < 0) headers[line] = "";
    else headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

export async function createMountAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("grants:write", "create mount", async ({ user, actor, ip }) => {
    const input = createMountSchema.parse({
      name: text(fd, "name"),
      botId: text(fd, "botId"),
      command: text(fd, "command")?.trim() || null,
      url: text(fd, "url")?.trim() || null,
      args: lines(text(fd, "args")),
      headers: parseHeaders(text(fd, "headers")),
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
