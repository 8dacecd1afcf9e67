import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import type { UpdatePolicyInput } from "@/lib/validations/policy";
import { assertMayRemoveApprovalCoverage } from "@/lib/approvals/approval-coverage";
import { getPolicyOrThrow, policySelect } from "./get-policy";

export async function updatePolicy(tx: Prisma.TransactionClient, { orgId, actor, input, ip }: { orgId: string; actor: Actor; input: UpdatePolicyInput; ip?: string | null }) {
  const before = await getPolicyOrThrow(tx, { orgId });
  const next = { ...before, ...input };
  if (next.defaultTtlSeconds > next.maxTtlSeconds) {
    throw new ApiError("validation_failed", "defaultTtlSeconds must not exceed maxTtlSeconds", {
      issues: [{ path: ["defaultTtlSeconds"], code: "too_big", message: "must not exceed maxTtlSeconds" }],
    });
  }
  // policy:write is owner-only already; this keeps the rule true for every caller.
  const weakened =
    before.approvalTags.some((t) => !next.approvalTags.includes(t)) ||
    before.approvalSecretIds.some((s) => !next.approvalSecretIds.includes(s)) ||
    next.approvalsRequired < before.approvalsRequired;
  if (weakened) await assertMayRemoveApprovalCoverage(tx, { orgId, actor, ip, what: "remove or weaken approval rules" });
  const policy = await tx.policy.update({ where: { orgId }, data: input, select: policySelect });
  const changes = Object.fromEntries(
    Object.keys(input).map((k) => [k, { from: before[k as keyof typeof before], to: policy[k as keyof typeof policy] }]),
  );
  await recordAuditEvent(tx, { orgId, type: "policy.updated", actor, ip, data: { changes } });
  return policy;
}
