import { requirePageUser } from "@/lib/auth/require-page-user";
import { can } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";
import { listSecretsPage } from "@/lib/secrets/list-secrets-page";
import { parseListQuery } from "@/lib/paging/search-params";
import { SECRET_SORTS, secretPageQuerySchema } from "@/lib/validations/secret";
import { Disclosure } from "@/components/disclosure";
import { ListSearch } from "@/components/list-search";
import { getPolicyOrThrow } from "@/lib/policy/get-policy";
import { PageHeader } from "@/components/page-header";
import { CreateSecretForm } from "./create-secret-form";
import { SecretsTable } from "./columns";

export const metadata = { title: "Catalogue" };

export default async function CataloguePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser("metadata:read", "/catalogue");
  const { orgId, role } = user;
  const query = parseListQuery(secretPageQuerySchema, await searchParams);
  const [secrets, policy] = await Promise.all([listSecretsPage(prisma, { orgId, ...query }), getPolicyOrThrow(prisma, { orgId })]);
  const cutoff = Date.now() - policy.rotationPeriodDays * 86_400_000;
  const rows = secrets.rows.map((s) => ({ ...s, dueForRotation: s.rotatedAt.getTime() < cutoff }));
  const canWrite = can(role, "catalogue:write");
  return (
    <>
      <PageHeader title="Catalogue" description="Secrets by name and scope. Values are sealed and write-only: bots reach them through leases, people never see them." />
      <div className="space-y-6">
        {canWrite ? (
          <Disclosure label="Add a secret">
            <CreateSecretForm />
          </Disclosure>
        ) : null}
        <ListSearch label="Search secrets" q={query.q} sort={query.sort} direction={query.direction} placeholder="Secret name, e.g. ACCOUNTING" />
        <SecretsTable data={rows} canWrite={canWrite} searched={!!query.q} paging={secrets} sort={{ by: query.sort, direction: query.direction, keys: SECRET_SORTS }} />
      </div>
    </>
  );
}
