"use server";
import { prisma, transaction } from "@/lib/db/prisma";
import { runAction } from "@/lib/forms/run-action";
import type { FormState } from "@/lib/forms/form-state";
import { policyInput } from "@/lib/forms/update-inputs";
import { updatePolicy } from "@/lib/policy/update-policy";
import { updatePolicySchema } from "@/lib/validations/policy";

export async function updatePolicyAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("policy:write", "update policy", async ({ user, actor, ip }) => {
    const input = updatePolicySchema.parse(policyInput(fd));
    await transaction(prisma, (tx) => updatePolicy(tx, { orgId: user.orgId, actor, input, ip }));
    return { ok: true, message: "Policy saved. It applies to the next lease request." };
  }, fd);
}
