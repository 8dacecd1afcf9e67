import { requirePageUser } from "@/lib/auth/require-page-user";
import { prisma } from "@/lib/db/prisma";
import { listMembers } from "@/lib/members/list-members";
import { Forbidden } from "@/components/forbidden";
import { PageHeader } from "@/components/page-header";
import { InviteForm } from "./invite-form";
import { MembersTable } from "./columns";

export const metadata = { title: "Members" };

export default async function MembersPage() {
  const access = await requirePageUser("members:write", "/members");
  if (!access.allowed) return <Forbidden permission={access.permission} role={access.user.role} />;
  const members = await listMembers(prisma, { orgId: access.user.orgId });
  return (
    <>
      <PageHeader
        title="Members"
        description="Owners manage everything; admins run the catalogue, bots, grants, approvals and revocation; security reads everything and revokes; viewers read metadata."
      />
      <div className="space-y-6">
        <InviteForm />
        <MembersTable data={members} selfId={access.user.id} />
      </div>
    </>
  );
}
