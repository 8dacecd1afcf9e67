"use server";
import { prisma, transaction } from "@/lib/db/prisma";
import { runAction } from "@/lib/forms/run-action";
import type { FormState } from "@/lib/forms/form-state";
import { all, bool, int, list } from "@/lib/forms/read-form";
import { updatePolicy } from "@/lib/policy/update-policy";
import { updatePolicySchema } from "@/lib/validations/policy";

export async function updatePolicyAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("policy:write", "update policy", async ({ user, actor, ip }) => {
    const input = updatePolicySchema.parse({
      maxTtlSeconds: int(fd, "maxTtlSeconds"),
      defaultTtlSeconds: int(fd, "defaultTtlSeconds"),
      requireJustification: bool(fd, "requireJustification"),
      minJustificationLength: int(fd, "minJustificationLength"),
      singleUseByDefault: bool(fd, "singleUseByDefault"),
      rotationPeriodDays: int(fd, "rotationPeriodDays"),
      approvalSecretIds: all(fd, "approvalSecretIds"),
      approvalTags: list(fd, "approvalTags") ?? [],
      approvalsRequired: int(fd, "approvalsRequired"),
    });
    await transaction(prisma, (tx) => updatePolicy(tx, { orgId: user.orgId, actor, input, ip }));
    return { ok: true, message: "Policy saved. It applies to the next lease request." };
  }, fd);
}
