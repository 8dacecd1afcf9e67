import { requirePageUser } from "@/lib/auth/require-page-user";
import { can } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";
import { getPolicyOrThrow } from "@/lib/policy/get-policy";
import { PageHeader } from "@/components/page-header";
import { PolicyForm } from "./policy-form";

export const metadata = { title: "Org policy" };

export default async function PolicyPage() {
  const user = await requirePageUser("metadata:read", "/policy");
  const { orgId, role } = user;
  const [policy, secrets] = await Promise.all([
    getPolicyOrThrow(prisma, { orgId }),
    prisma.secret.findMany({ where: { orgId }, select: { id: true, name: true, scope: true }, orderBy: [{ name: "asc" }, { scope: "asc" }] }),
  ]);
  return (
    <>
      <PageHeader title="Org policy" description="Rules every lease request is checked against, in this organization." />
      <PolicyForm policy={policy} secrets={secrets.map((s) => ({ id: s.id, label: `${s.name} (${s.scope})` }))} canWrite={can(role, "policy:write")} />
    </>
  );
}
