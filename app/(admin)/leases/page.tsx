import { requirePageUser } from "@/lib/auth/require-page-user";
import { can } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";
import { listLeasesPage } from "@/lib/leases/list-leases-page";
import { LEASE_SORTS, LEASE_STATUSES, leasePageQuerySchema } from "@/lib/validations/lease";
import { PageHeader } from "@/components/page-header";
import { Disclosure } from "@/components/disclosure";
import { LeasesTable } from "./columns";
import { IncidentControl } from "./incident-control";
import { botOptions, FilterSelect, secretOptions } from "@/components/filter-select";

export const metadata = { title: "Leases" };

type Search = Record<string, string | string[] | undefined>;

/** Filters come from the URL (shareable); anything malformed is ignored rather than fatal. */
function filters(search: Search) {
  const raw = Object.fromEntries(Object.entries(search).filter(([, v]) => typeof v === "string" && v !== "")) as Record<string, string>;
  const parsed = leasePageQuerySchema.safeParse(raw);
  return parsed.success ? parsed.data : leasePageQuerySchema.parse({});
}

export default async function LeasesPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageUser("metadata:read", "/leases");
  const { orgId, role } = user;
  const query = filters(await searchParams);
  const [leases, bots, secrets] = await Promise.all([
    listLeasesPage(prisma, { orgId, ...query }),
    prisma.bot.findMany({ where: { orgId }, select: { id: true, name: true }, orderBy: { name: "asc" } }),
    prisma.secret.findMany({ where: { orgId }, select: { id: true, name: true, scope: true }, orderBy: [{ name: "asc" }, { scope: "asc" }] }),
  ]);
  const canRevoke = can(role, "leases:revoke");
  return (
    <>
      <PageHeader
        title="Leases"
        description="Active and recent leases. Revocation takes effect at the bot's next resolve; nothing is cached in between."
        actions={
          canRevoke ? (
            <IncidentControl
              orgName={user.orgName}
              bots={bots.map((b) => ({ id: b.id, label: b.name }))}
              secrets={secrets.map((s) => ({ id: s.id, label: `${s.name} (${s.scope})` }))}
            />
          ) : null
        }
      />
      <div id="incident-result" />
      <Disclosure label="Filters" defaultOpen={Boolean(query.botId || query.secretId || query.scope || query.status)}>
      <form method="get" className="card mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-5" aria-label="Filter leases">
        {/* A new filter keeps the chosen order but starts again at the first page. */}
        <input type="hidden" name="sort" value={query.sort} />
        <input type="hidden" name="direction" value={query.direction} />
        <FilterSelect name="botId" label="Bot" value={query.botId} any="All bots" options={botOptions(bots)} />
        <FilterSelect name="secretId" label="Secret" value={query.secretId} any="All secrets" options={secretOptions(secrets)} />
        <label className="space-y-1 text-sm">
          <span className="font-medium">Scope</span>
          <input name="scope" aria-label="Scope" defaultValue={query.scope ?? ""} className="input" placeholder="any" />
        </label>
        <FilterSelect name="status" label="Status" value={query.status} any="Any status" options={LEASE_STATUSES.map((s) => ({ value: s, label: s }))} />
        <div className="flex items-end gap-2">
          <button type="submit" className="btn btn-primary">
            Filter
          </button>
          <a href="/leases" className="btn">
            Clear
          </a>
        </div>
      </form>
      </Disclosure>
      <LeasesTable data={leases.rows} canRevoke={canRevoke} paging={leases} sort={{ by: query.sort, direction: query.direction, keys: LEASE_SORTS }} />
    </>
  );
}
