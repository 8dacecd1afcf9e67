"use server";
import { prisma, transaction } from "@/lib/db/prisma";
import { runAction } from "@/lib/forms/run-action";
import type { FormState } from "@/lib/forms/form-state";
import { int, text } from "@/lib/forms/read-form";
import { issueApiToken } from "@/lib/api-tokens/issue-api-token";
import { revokeApiToken } from "@/lib/api-tokens/revoke-api-token";
import { apiTokenIdSchema, createApiTokenSchema } from "@/lib/validations/api-token";

// Every role manages its own tokens (metadata:read is every role); revokeApiToken decides
// whose tokens the member may touch.
export async function createApiTokenAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("metadata:read", "create API token", async ({ user, actor, ip }) => {
    const input = createApiTokenSchema.parse({ name: text(fd, "name") ?? "", expiresInDays: int(fd, "expiresInDays") });
    const created = await transaction(prisma, (tx) => issueApiToken(tx, { orgId: user.orgId, userId: user.id, input, viaTokenId: null, actor, ip }));
    return {
      ok: true,
      message: `Token “${created.name}” created; it acts as you (${user.role}) until ${created.expiresAt?.toISOString().slice(0, 10)}.`,
      secretOnce: created.token,
    };
  }, fd);
}

export async function revokeApiTokenAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("metadata:read", "revoke API token", async ({ user, actor, ip }) => {
    const id = apiTokenIdSchema.parse(text(fd, "id"));
    const token = await transaction(prisma, (tx) => revokeApiToken(tx, { orgId: user.orgId, id, caller: { userId: user.id, role: user.role }, actor, ip }));
    return { ok: true, message: `Token “${token.name}” revoked; its next request is refused.` };
  }, fd);
}
