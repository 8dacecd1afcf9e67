import { requirePageUser } from "@/lib/auth/require-page-user";
import { can } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";
import { listSecrets } from "@/lib/secrets/list-secrets";
import { getPolicyOrThrow } from "@/lib/policy/get-policy";
import { PageHeader } from "@/components/page-header";
import { CreateSecretForm } from "./create-secret-form";
import { SecretsTable } from "./columns";

export const metadata = { title: "Catalogue" };

export default async function CataloguePage() {
  const user = await requirePageUser("metadata:read", "/catalogue");
  const { orgId, role } = user;
  const [secrets, policy] = await Promise.all([listSecrets(prisma, { orgId }), getPolicyOrThrow(prisma, { orgId })]);
  const cutoff = Date.now() - policy.rotationPeriodDays * 86_400_000;
  const rows = secrets.map((s) => ({ ...s, dueForRotation: s.rotatedAt.getTime() < cutoff }));
  const canWrite = can(role, "catalogue:write");
  return (
    <>
      <PageHeader title="Catalogue" description="Secrets by name and scope. Values are sealed and write-only: bots reach them through leases, people never see them." />
      <div className="space-y-6">
        {canWrite ? <CreateSecretForm /> : null}
        <SecretsTable data={rows} canWrite={canWrite} />
      </div>
    </>
  );
}
