import { requirePageUser } from "@/lib/auth/require-page-user";
import { can } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";
import { listBots } from "@/lib/bots/list-bots";
import { PageHeader } from "@/components/page-header";
import { BotsTable } from "./columns";
import { CreateBotForm } from "./create-bot-form";

export const metadata = { title: "Bots" };

export default async function BotsPage() {
  const user = await requirePageUser("metadata:read", "/bots");
  const bots = await listBots(prisma, { orgId: user.orgId });
  return (
    <>
      <PageHeader title="Bots" description="Each bot authenticates with its own token and may lease only the secrets it is granted." />
      <div className="space-y-6">
        {can(user.role, "bots:write") ? <CreateBotForm /> : null}
        <BotsTable data={bots} />
      </div>
    </>
  );
}
