import Link from "next/link";
import { notFound } from "next/navigation";
import { ApiError } from "@/lib/api/errors";
import { requirePageUser } from "@/lib/auth/require-page-user";
import { can } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";
import { getBotOrThrow } from "@/lib/bots/get-bot-or-throw";
import { listBotSecrets } from "@/lib/bots/list-bot-secrets";
import { listLeases } from "@/lib/leases/list-leases";
import { isId } from "@/lib/ids";
import { formatTime } from "@/lib/format";
import { PageHeader } from "@/components/page-header";
import { StatusBadge } from "@/components/status-badge";
import { LeasesTable } from "../../leases/columns";
import { botUsageForRequest } from "@/lib/bots/bot-usage-snippets";
import { BotControls } from "./bot-controls";
import { GrantForm } from "./grant-form";
import { GrantsTable } from "./grants-table";
import { EnvironmentForm } from "./environment-form";

export const metadata = { title: "Bot" };

async function loadBot(orgId: string, id: string) {
  if (!isId(id, "bot")) notFound();
  try {
    return await getBotOrThrow(prisma, { orgId, id });
  } catch (err) {
    if (err instanceof ApiError && err.code === "not_found") notFound();
    throw err;
  }
}

export default async function BotPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requirePageUser("metadata:read", `/bots/${id}`);
  const { orgId, role } = user;
  const bot = await loadBot(orgId, id);
  const [grants, leases, secrets] = await Promise.all([
    listBotSecrets(prisma, { orgId, botId: id }),
    listLeases(prisma, { orgId, botId: id, limit: 50 }),
    prisma.secret.findMany({ where: { orgId }, select: { id: true, name: true, scope: true }, orderBy: [{ name: "asc" }, { scope: "asc" }] }),
  ]);
  const granted = new Set(grants.map((g) => g.secretId));
  const grantable = secrets.filter((s) => !granted.has(s.id)).map((s) => ({ id: s.id, label: `${s.name} (${s.scope})` }));
  const canGrant = can(role, "grants:write");
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/bots" className="link">
          ← Bots
        </Link>
      </p>
      <PageHeader
        title={bot.name}
        description={
          <>
            <StatusBadge status={bot.frozen ? "frozen" : "active"} /> environment <span className="font-mono">{bot.environment}</span> · created {formatTime(bot.createdAt)}
            {bot.description ? <> · {bot.description}</> : null}
          </>
        }
      />
      <div className="space-y-6">
        <BotControls bot={{ id: bot.id, name: bot.name, frozen: bot.frozen }} usage={await botUsageForRequest()} canWrite={can(role, "bots:write")} canFreeze={can(role, "bots:freeze")} canRevoke={can(role, "leases:revoke")} />
        {can(role, "bots:write") ? (
          <div className="card">
            <EnvironmentForm bot={{ id: bot.id, environment: bot.environment }} />
          </div>
        ) : null}
        <section className="space-y-3" aria-labelledby="permissions-heading">
          <h2 id="permissions-heading" className="font-semibold">
            Permissions: secrets it can lease
          </h2>
          {canGrant ? (
            <div className="card">
              <GrantForm botId={bot.id} secrets={grantable} />
            </div>
          ) : null}
          <GrantsTable data={grants} canWrite={canGrant} />
        </section>
        <section className="space-y-2" aria-labelledby="leases-heading">
          <h2 id="leases-heading" className="font-semibold">
            Leases
          </h2>
          <LeasesTable data={leases.map((l) => ({ ...l, botName: bot.name }))} canRevoke={can(role, "leases:revoke")} />
        </section>
      </div>
    </>
  );
}
