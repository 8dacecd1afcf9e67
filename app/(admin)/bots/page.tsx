import { botUsageForRequest } from "@/lib/bots/bot-usage-snippets";
import { requirePageUser } from "@/lib/auth/require-page-user";
import { can } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";
import { listBotsPage } from "@/lib/bots/list-bots-page";
import { parseListQuery } from "@/lib/paging/search-params";
import { BOT_SORTS, botPageQuerySchema } from "@/lib/validations/bot";
import { Disclosure } from "@/components/disclosure";
import { ListSearch } from "@/components/list-search";
import { PageHeader } from "@/components/page-header";
import { BotsTable } from "./columns";
import { CreateBotForm } from "./create-bot-form";

export const metadata = { title: "Bots" };

export default async function BotsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser("metadata:read", "/bots");
  const query = parseListQuery(botPageQuerySchema, await searchParams);
  const bots = await listBotsPage(prisma, { orgId: user.orgId, ...query });
  const usage = await botUsageForRequest();
  return (
    <>
      <PageHeader title="Bots" description="Each bot authenticates with its own token and may lease only the secrets it is granted." />
      <div className="space-y-6">
        {can(user.role, "bots:write") ? (
          <Disclosure label="Create a bot">
            <CreateBotForm usage={usage} />
          </Disclosure>
        ) : null}
        <ListSearch label="Search bots" q={query.q} sort={query.sort} direction={query.direction} placeholder="Bot name, e.g. accounting" />
        <BotsTable data={bots.rows} searched={!!query.q} paging={bots} sort={{ by: query.sort, direction: query.direction, keys: BOT_SORTS }} />
      </div>
    </>
  );
}
