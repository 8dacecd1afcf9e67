import Link from "next/link";
import { requirePageUser } from "@/lib/auth/require-page-user";
import { prisma } from "@/lib/db/prisma";
import { listMembersPage } from "@/lib/members/list-members-page";
import { parseListQuery } from "@/lib/paging/search-params";
import { MEMBER_SORTS, memberPageQuerySchema } from "@/lib/validations/member";
import { Disclosure } from "@/components/disclosure";
import { ListSearch } from "@/components/list-search";
import { PageHeader } from "@/components/page-header";
import { InviteForm } from "./invite-form";
import { MembersTable } from "./columns";

export const metadata = { title: "Members" };

export default async function MembersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser("members:write", "/members");
  const query = parseListQuery(memberPageQuerySchema, await searchParams);
  const members = await listMembersPage(prisma, { orgId: user.orgId, ...query });
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
        <Disclosure label="Invite a member">
          <InviteForm />
        </Disclosure>
        <ListSearch label="Search members" q={query.q} sort={query.sort} direction={query.direction} placeholder="Email" />
        <MembersTable data={members.rows} selfId={user.id} paging={members} sort={{ by: query.sort, direction: query.direction, keys: MEMBER_SORTS }} />
      </div>
    </>
  );
}
