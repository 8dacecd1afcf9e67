import type { Prisma } from "@/lib/generated/prisma/client";
import { ApiError } from "@/lib/api/errors";
import { approverExclusions, loadApprovalContext } from "./approver-exclusions";

/**
 * Locks a pending lease for a decision. Returns the refusal instead of throwing it,
 * so the caller can roll back and then audit the refusal on its own.
 */
export async function loadPendingLease(tx: Prisma.TransactionClient, { orgId, leaseId, userId, now }: { orgId: string; leaseId: string; userId: string; now: Date }) {
  const [locked] = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "Lease" WHERE "id" = ${leaseId} AND "orgId" = ${orgId} FOR UPDATE`;
  if (!locked) throw new ApiError("not_found", "Lease not found");
  const lease = await tx.lease.findUniqueOrThrow({
    where: { id: leaseId },
    select: {
      id: true,
      botId: true,
      secretId: true,
      secretName: true,
      scope: true,
      status: true,
      ttlSeconds: true,
      expiresAt: true,
      justification: true,
      mountId: true,
      bot: { select: { frozenAt: true } },
    },
  });
  const exclusions = approverExclusions(await loadApprovalContext(tx, { orgId, lease }));
  const excludedBecause = exclusions.excluded.get(userId);
  let refusal: { code: "conflict" | "forbidden"; message: string } | null = null;
  if (lease.status !== "pending") refusal = { code: "conflict", message: `This request is no longer pending (it is ${lease.status})` };
  else if (lease.expiresAt <= now) refusal = { code: "conflict", message: "The approval window of this request has closed" };
  else if (lease.secretId === null) refusal = { code: "conflict", message: "The requested secret was deleted" };
  // Whoever could take the value through this bot is its requester in all but name:
  // four eyes means someone else decides.
  else if (excludedBecause) refusal = { code: "forbidden", message: `${excludedBecause}, so you may not decide its requests` };
  return { lease, refusal, exclusions };
}
