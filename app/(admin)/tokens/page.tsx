import Link from "next/link";
import { requirePageUser } from "@/lib/auth/require-page-user";
import { can } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";
import { listApiTokens } from "@/lib/api-tokens/list-api-tokens";
import { PageHeader } from "@/components/page-header";
import { Disclosure } from "@/components/disclosure";
import { CreateTokenForm } from "./create-token-form";
import { TokensTable } from "./columns";

export const metadata = { title: "API tokens" };

export default async function TokensPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser("metadata:read", "/tokens");
  // Owners may look at everyone's tokens; for anyone else ?all is simply ignored.
  const mayViewAll = can(user.role, "tokens:others");
  const all = mayViewAll && (await searchParams).all === "1";
  const tokens = await listApiTokens(prisma, { orgId: user.orgId, userId: all ? undefined : user.id });
  return (
    <>
      <PageHeader
        title="API tokens"
        description={`Admin API tokens (rva_…) act as the member who created them, with that member's current role (${user.role} for you), and stop working when they expire, are revoked, or the member is removed.`}
        actions={
          mayViewAll ? (
            <nav aria-label="Whose tokens" className="flex gap-2 text-sm">
              <Link href="/tokens" className={all ? "link" : "font-semibold"} aria-current={all ? undefined : "page"}>
                Mine
              </Link>
              <Link href="/tokens?all=1" className={all ? "font-semibold" : "link"} aria-current={all ? "page" : undefined}>
                Everyone’s
              </Link>
            </nav>
          ) : null
        }
      />
      <div className="space-y-6">
        <Disclosure label="Create a token">
          <CreateTokenForm />
        </Disclosure>
        <TokensTable data={tokens} showMember={all} selfId={user.id} />
      </div>
    </>
  );
}
