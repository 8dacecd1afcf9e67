import Link from "next/link";
import { requirePageUser } from "@/lib/auth/require-page-user";
import { prisma } from "@/lib/db/prisma";
import { listAuditEvents } from "@/lib/audit/list-audit-events";
import { latestEventSeq } from "@/lib/events/read-events-after";
import { listAuditQuerySchema } from "@/lib/validations/audit";
import { PageHeader } from "@/components/page-header";
import { AuditTable } from "./columns";
import { LiveUpdates } from "./live-updates";
import { VerifyChainButton } from "./verify-chain-button";

export const metadata = { title: "Audit timeline" };

const EVENT_TYPES = [
  "lease.requested", "lease.granted", "lease.denied", "lease.approved", "lease.approval_recorded", "lease.rejected", "lease.collected",
  "lease.resolved", "lease.resolve_denied", "lease.revoked", "lease.released", "leases.revoked", "secret.created", "secret.rotated",
  "secret.updated", "secret.deleted", "bot.created", "bot.frozen", "bot.unfrozen", "bot.deleted", "bot.token_rotated", "grant.created",
  "grant.updated", "grant.deleted", "vault.read", "policy.updated", "member.invited", "member.role_changed", "member.removed", "member.signed_in", "admin.denied",
  "api_token.created", "api_token.revoked", "audit.archived",
];
const FILTER_KEYS = ["type", "botId", "secretId", "leaseId", "actorId", "outcome", "q", "from", "to"] as const;

type Search = Record<string, string | string[] | undefined>;

/** `datetime-local` inputs carry no zone: the page labels them UTC and reads them as such. */
const toIso = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v) ? `${v}:00Z` : v);
const toLocalInput = (v: string | undefined) => (v ? v.slice(0, 16) : "");

function parse(search: Search) {
  const raw: Record<string, string> = {};
  for (const key of [...FILTER_KEYS, "cursor"]) {
    const v = search[key];
    if (typeof v === "string" && v.trim() !== "") raw[key] = key === "from" || key === "to" ? toIso(v.trim())! : v.trim();
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
  const filterQs = queryString(filters);
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
      <form method="get" className="card mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-4" aria-label="Filter audit events">
        <label className="space-y-1 text-sm">
          <span className="font-medium">From (UTC)</span>
          <input type="datetime-local" name="from" aria-label="From (UTC)" defaultValue={toLocalInput(query.from)} className="input" />
        </label>
        <label className="space-y-1 text-sm">
          <span className="font-medium">To (UTC)</span>
          <input type="datetime-local" name="to" aria-label="To (UTC)" defaultValue={toLocalInput(query.to)} className="input" />
        </label>
        <label className="space-y-1 text-sm">
          <span className="font-medium">Event type</span>
          <input name="type" aria-label="Event type" list="event-types" defaultValue={query.type ?? ""} className="input" placeholder="any" />
          <datalist id="event-types">
            {EVENT_TYPES.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </label>
        <label className="space-y-1 text-sm">
          <span className="font-medium">Outcome</span>
          <select name="outcome" aria-label="Outcome" defaultValue={query.outcome ?? ""} className="input">
            <option value="">Any</option>
            <option value="success">success</option>
            <option value="denied">denied</option>
            <option value="failure">failure</option>
          </select>
        </label>
        <label className="space-y-1 text-sm">
          <span className="font-medium">Bot</span>
          <select name="botId" aria-label="Bot" defaultValue={query.botId ?? ""} className="input">
            <option value="">All bots</option>
            {bots.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1 text-sm">
          <span className="font-medium">Secret</span>
          <select name="secretId" aria-label="Secret" defaultValue={query.secretId ?? ""} className="input">
            <option value="">All secrets</option>
            {secrets.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.scope})
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1 text-sm">
          <span className="font-medium">Actor</span>
          <select name="actorId" aria-label="Actor" defaultValue={query.actorId ?? ""} className="input">
            <option value="">Anyone</option>
            {members.map((m) => (
              <option key={m.id} value={m.id}>
                {m.email}
              </option>
            ))}
            {bots.map((b) => (
              <option key={b.id} value={b.id}>
                bot {b.name}
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1 text-sm">
          <span className="font-medium">Justification contains</span>
          <input name="q" aria-label="Justification contains" defaultValue={query.q ?? ""} className="input" />
        </label>
        {query.leaseId ? <input type="hidden" name="leaseId" value={query.leaseId} /> : null}
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
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <LiveUpdates headSeq={headSeq} enabled={!query.cursor} />
        <nav aria-label="Pages" className="flex gap-2">
          {query.cursor ? (
            <Link className="btn btn-sm" href={`/audit?${filterQs}`}>
              ← Newest
            </Link>
          ) : null}
          {page.nextCursor ? (
            <Link className="btn btn-sm" href={`/audit?${queryString({ ...filters, cursor: page.nextCursor })}`}>
              Older →
            </Link>
          ) : null}
        </nav>
      </div>
      <AuditTable data={page.events} names={names} />
    </>
  );
}
