import Link from "next/link";
import { requirePageUser } from "@/lib/auth/require-page-user";
import { prisma } from "@/lib/db/prisma";
import { listAuditEvents } from "@/lib/audit/list-audit-events";
import { latestEventSeq } from "@/lib/events/read-events-after";
import { listAuditQuerySchema } from "@/lib/validations/audit";
import { PageHeader } from "@/components/page-header";
import { EVENT_TYPE_GROUPS, EVENT_TYPES } from "@/lib/audit/event-types";
import { formatUtcInput, parseUtcInput } from "@/lib/audit/utc-input";
import { AuditTable } from "./columns";
import { LiveUpdates } from "./live-updates";
import { VerifyChainButton } from "./verify-chain-button";
import { Disclosure } from "@/components/disclosure";
import { botOptions, FilterSelect, secretOptions } from "@/components/filter-select";

export const metadata = { title: "Audit timeline" };

const FILTER_KEYS = ["type", "botId", "secretId", "leaseId", "actorId", "outcome", "q", "from", "to"] as const;

type Search = Record<string, string | string[] | undefined>;

// The time inputs are plain text in the table's own format (lib/audit/utc-input.ts):
// a `datetime-local` input shows the browser's locale, 12-hour in the US.
const toIso = (v: string) => parseUtcInput(v) ?? v;

function parse(search: Search) {
  const raw: Record<string, string> = {};
  for (const key of [...FILTER_KEYS, "cursor"]) {
    const v = search[key];
    if (typeof v === "string" && v.trim() !== "") raw[key] = key === "from" || key === "to" ? toIso(v.trim()) : v.trim();
  }
  const parsed = listAuditQuerySchema.safeParse({ ...raw, limit: "50" });
  return parsed.success ? { query: parsed.data, error: null } : { query: listAuditQuerySchema.parse({ limit: "50" }), error: "Some filters were invalid and were ignored." };
}

function queryString(params: Record<string, string | undefined>) {
  const qs = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1]));
  return qs.toString();
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageUser("audit:read", "/audit");
  const { orgId } = user;
  const { query, error } = parse(await searchParams);
  // Read before the events: anything that commits after this is newer than the head
  // the live updater starts from, so it cannot fall between the two reads unseen.
  const headSeq = Number(await latestEventSeq(prisma, { orgId }));
  const [page, bots, secrets, members] = await Promise.all([
    listAuditEvents(prisma, { orgId, ...query }),
    prisma.bot.findMany({ where: { orgId }, select: { id: true, name: true }, orderBy: { name: "asc" } }),
    prisma.secret.findMany({ where: { orgId }, select: { id: true, name: true, scope: true }, orderBy: [{ name: "asc" }] }),
    prisma.user.findMany({ where: { orgId }, select: { id: true, email: true }, orderBy: { email: "asc" } }),
  ]);
  const names = { ...Object.fromEntries(bots.map((b) => [b.id, b.name])), ...Object.fromEntries(members.map((m) => [m.id, m.email])) };
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, query[k]])) as Record<string, string | undefined>;
  return (
    <>
      <PageHeader
        title="Audit timeline"
        description="Every grant, lease, read and admin action, newest first, in a hash chain per organization."
        actions={
          <>
            <a className="btn" href={`/api/v1/audit/export?${queryString({ ...filters, format: "csv" })}`} download>
              Export CSV
            </a>
            <a className="btn" href={`/api/v1/audit/export?${queryString({ ...filters, format: "json" })}`} download>
              Export JSON
            </a>
            <VerifyChainButton />
          </>
        }
      />
      {/* At narrow widths the filters fold away so the timeline is on the first screen. */}
      <Disclosure label="Filters" defaultOpen={FILTER_KEYS.some((k) => Boolean(filters[k]))}>
        <form method="get" className="card mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-4" aria-label="Filter audit events">
          <label className="space-y-1 text-sm">
            <span className="font-medium">From (UTC)</span>
            <input name="from" aria-label="From (UTC)" aria-describedby="time-format" defaultValue={formatUtcInput(query.from)} className="input font-mono" placeholder="YYYY-MM-DD HH:MM" inputMode="numeric" />
          </label>
          <label className="space-y-1 text-sm">
            <span className="font-medium">To (UTC)</span>
            <input name="to" aria-label="To (UTC)" aria-describedby="time-format" defaultValue={formatUtcInput(query.to)} className="input font-mono" placeholder="YYYY-MM-DD HH:MM" inputMode="numeric" />
          </label>
          <label className="space-y-1 text-sm">
            <span className="font-medium">Event type</span>
            <select name="type" aria-label="Event type" defaultValue={query.type ?? ""} className="input">
              <option value="">Any type</option>
              {query.type && !EVENT_TYPES.includes(query.type) ? <option value={query.type}>{query.type}</option> : null}
              {Object.entries(EVENT_TYPE_GROUPS).map(([group, types]) => (
                <optgroup key={group} label={group}>
                  {types.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          </label>
          <FilterSelect name="outcome" label="Outcome" value={query.outcome} any="Any" options={["success", "denied", "failure"].map((o) => ({ value: o, label: o }))} />
          <FilterSelect name="botId" label="Bot" value={query.botId} any="All bots" options={botOptions(bots)} />
          <FilterSelect name="secretId" label="Secret" value={query.secretId} any="All secrets" options={secretOptions(secrets)} />
          <FilterSelect
            name="actorId"
            label="Actor"
            value={query.actorId}
            any="Anyone"
            options={[...members.map((m) => ({ value: m.id, label: m.email })), ...bots.map((b) => ({ value: b.id, label: `bot ${b.name}` }))]}
          />
          <label className="space-y-1 text-sm">
            <span className="font-medium">Justification contains</span>
            <input name="q" aria-label="Justification contains" defaultValue={query.q ?? ""} className="input" />
          </label>
          <label className="space-y-1 text-sm">
            <span className="font-medium">Lease id</span>
            <input name="leaseId" aria-label="Lease id" defaultValue={query.leaseId ?? ""} className="input font-mono" placeholder="lse_…" spellCheck={false} />
          </label>
          <p id="time-format" className="text-xs text-slate-500 sm:col-span-2 lg:col-span-3 lg:self-end">
            Times are UTC, 24-hour, written as in the table: YYYY-MM-DD HH:MM.
          </p>
          <div className="flex items-end gap-2 sm:col-span-2 lg:col-span-4">
            <button type="submit" className="btn btn-primary">
              Apply filters
            </button>
            <a href="/audit" className="btn">
              Clear
            </a>
            {error ? <p role="alert" className="text-sm text-red-700">{error}</p> : null}
          </div>
        </form>
      </Disclosure>
      {query.leaseId ? (
        <p className="mb-2 text-sm" role="note">
          Showing the events of lease <code className="text-xs">{query.leaseId}</code>.{" "}
          <Link className="link" href={`/audit?${queryString({ ...filters, leaseId: undefined })}`}>
            Show all leases
          </Link>
        </p>
      ) : null}
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <LiveUpdates headSeq={headSeq} enabled={!query.cursor} />
        <Pager label="Pages" cursor={query.cursor} nextCursor={page.nextCursor} filters={filters} />
      </div>
      <AuditTable data={page.events} names={names} />
      {page.events.length > 0 ? (
        <div className="mt-2 flex justify-end">
          <Pager label="Pages (below the table)" cursor={query.cursor} nextCursor={page.nextCursor} filters={filters} />
        </div>
      ) : null}
    </>
  );
}

/** "← Newest" and "Older →": above the table and again below it. */
function Pager({ label, cursor, nextCursor, filters }: { label: string; cursor?: string; nextCursor: string | null; filters: Record<string, string | undefined> }) {
  return (
    <nav aria-label={label} className="flex gap-2">
      {cursor ? (
        <Link className="btn btn-sm" href={`/audit?${queryString(filters)}`}>
          ← Newest
        </Link>
      ) : null}
      {nextCursor ? (
        <Link className="btn btn-sm" href={`/audit?${queryString({ ...filters, cursor: nextCursor })}`}>
          Older →
        </Link>
      ) : null}
    </nav>
  );
}
