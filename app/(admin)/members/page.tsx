import Link from "next/link";
import { requirePageUser } from "@/lib/auth/require-page-user";
import { prisma } from "@/lib/db/prisma";
import { listMembers } from "@/lib/members/list-members";
import { PageHeader } from "@/components/page-header";
import { InviteForm } from "./invite-form";
import { MembersTable } from "./columns";

export const metadata = { title: "Members" };

export default async function MembersPage() {
  const user = await requirePageUser("members:write", "/members");
  const members = await listMembers(prisma, { orgId: user.orgId });
  return (
    <>
      <PageHeader
        title="Members"
        description="Owners manage everything; admins run the catalogue, bots, grants, approvals and revocation; security reads everything and revokes; viewers read metadata."
        actions={
          <Link href="/tokens?all=1" className="btn">
            Members’ API tokens
          </Link>
        }
      />
      <div className="space-y-6">
        <InviteForm />
        <MembersTable data={members} selfId={user.id} />
      </div>
    </>
  );
}
