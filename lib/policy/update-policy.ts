import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import type { UpdatePolicyInput } from "@/lib/validations/policy";
import { assertMayRemoveApprovalCoverage } from "@/lib/approvals/approval-coverage";
import { getPolicyOrThrow, policySelect } from "./get-policy";

/**
 * An approval rule naming a secret this org does not have would never apply: another
 * org's id (which must not be confirmed to exist) or a mistyped one. Refused either way.
 */
async function refuseUnknownSecrets(tx: Prisma.TransactionClient, orgId: string, ids: string[]) {
  const found = await tx.secret.findMany({ where: { orgId, id: { in: ids } }, select: { id: true } });
  const known = new Set(found.map((s) => s.id));
  const issues = ids.flatMap((id, i) => (known.has(id) ? [] : [{ path: ["approvalSecretIds", String(i)], code: "custom", message: `No secret ${id} in this organization` }]));
  if (issues.length) throw new ApiError("validation_failed", "approvalSecretIds must name secrets of this organization", { issues });
}

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
  if (input.approvalSecretIds?.length) await refuseUnknownSecrets(tx, orgId, input.approvalSecretIds);
  const policy = await tx.policy.update({ where: { orgId }, data: input, select: policySelect });
  const changes = Object.fromEntries(
    Object.keys(input).map((k) => [k, { from: before[k as keyof typeof before], to: policy[k as keyof typeof policy] }]),
  );
  await recordAuditEvent(tx, { orgId, type: "policy.updated", actor, ip, data: { changes } });
  return policy;
}
