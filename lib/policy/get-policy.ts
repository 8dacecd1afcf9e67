import type { Db } from "@/lib/db/prisma";

export const policySelect = {
  maxTtlSeconds: true,
  defaultTtlSeconds: true,
  requireJustification: true,
  minJustificationLength: true,
  singleUseByDefault: true,
  rotationPeriodDays: true,
  approvalSecretIds: true,
  approvalTags: true,
  approvalsRequired: true,
  updatedAt: true,
} as const;

export async function getPolicyOrThrow(db: Db, { orgId }: { orgId: string }) {
  const policy = await db.policy.findUnique({ where: { orgId }, select: policySelect });
  // Every org is created with a policy; a missing one is a broken invariant, not a 404.
  if (!policy) throw new Error("organization has no policy row");
  return policy;
}
