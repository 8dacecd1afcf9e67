import { requirePageUser } from "@/lib/auth/require-page-user";
import { can } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";
import { listPendingLeases } from "@/lib/approvals/list-pending-leases";
import { getPolicyOrThrow } from "@/lib/policy/get-policy";
import { PageHeader } from "@/components/page-header";
import { PendingTable } from "./columns";

export const metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  const user = await requirePageUser("metadata:read", "/approvals");
  const { orgId, role, id: userId } = user;
  const [pending, policy] = await Promise.all([listPendingLeases(prisma, { orgId }), getPolicyOrThrow(prisma, { orgId })]);
  const rows = pending.map((p) => ({
    ...p,
    blockedReason:
      p.excludedApprovers[userId] !== undefined
        ? `${p.excludedApprovers[userId]}: another admin must decide.`
        : p.approvedBy.includes(userId)
          ? "You approved; waiting for others."
          : p.botFrozen
            ? "Bot is frozen."
            : null,
    // Nobody can approve it (e.g. no member is recorded as issuing the token); it can still be denied.
    approveBlockedReason: p.approvalBlocked,
  }));
  return (
    <>
      <PageHeader
        title="Approvals"
        description={`Lease requests under an approval rule. ${policy.approvalsRequired === 1 ? "One approval releases" : `${policy.approvalsRequired} distinct approvals release`} a lease; one denial ends it.`}
      />
      <PendingTable data={rows} canDecide={can(role, "approvals:decide")} required={policy.approvalsRequired} />
    </>
  );
}
