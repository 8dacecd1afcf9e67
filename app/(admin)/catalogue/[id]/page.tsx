import { notFound } from "next/navigation";
import Link from "next/link";
import { ApiError } from "@/lib/api/errors";
import { requirePageUser } from "@/lib/auth/require-page-user";
import { can } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";
import { getSecretOrThrow } from "@/lib/secrets/get-secret-or-throw";
import { getSecretBlastRadius } from "@/lib/secrets/get-secret-blast-radius";
import { listGrants } from "@/lib/grants/list-grants";
import { listLeases } from "@/lib/leases/list-leases";
import { listAuditEvents } from "@/lib/audit/list-audit-events";
import { listSecretAccess } from "@/lib/audit/list-secret-access";
import { formatUtcInput } from "@/lib/audit/utc-input";
import { accessPeriod, DEFAULT_ACCESS_DAYS, secretAccessQuerySchema } from "@/lib/validations/secret-access";
import { isId } from "@/lib/ids";
import { formatDuration, formatTime } from "@/lib/format";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { PageHeader } from "@/components/page-header";
import { LeasesTable } from "../../leases/columns";
import { AuditTable } from "../../audit/columns";
import { deleteSecretAction } from "../actions";
import { RotateForm } from "./rotate-form";
import { AccessTable } from "./access-table";
import { BlastRadiusTable } from "./blast-radius-table";
import { RotateAndRevokeForm } from "./rotate-and-revoke-form";

export const metadata = { title: "Secret" };

type Search = Record<string, string | string[] | undefined>;
const TABS = [
  { id: "overview", label: "Overview" },
  { id: "access", label: "Access" },
  { id: "blast-radius", label: "Blast radius" },
] as const;
type Tab = (typeof TABS)[number]["id"];
const PRESET_DAYS = [1, 7, 30, 90];

async function loadSecret(orgId: string, id: string) {
  if (!isId(id, "sec")) notFound();
  try {
    return await getSecretOrThrow(prisma, { orgId, id });
  } catch (err) {
    if (err instanceof ApiError && err.code === "not_found") notFound();
    throw err;
  }
}

const str = (v: string | string[] | undefined) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

export default async function SecretPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Search> }) {
  const { id } = await params;
  const search = await searchParams;
  const user = await requirePageUser("metadata:read", `/catalogue/${id}`);
  const { orgId, role } = user;
  const secret = await loadSecret(orgId, id);
  const canAudit = can(role, "audit:read");
  const canWrite = can(role, "catalogue:write");
  const tabs = TABS.filter((t) => t.id !== "access" || canAudit);
  const tab: Tab = tabs.find((t) => t.id === str(search.tab))?.id ?? "overview";

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/catalogue" className="link">
          ← Catalogue
        </Link>
      </p>
      <PageHeader
        title={secret.name}
        description={
          <>
            Scope <strong>{secret.scope}</strong> · version {secret.currentVersion} · last rotated {formatTime(secret.rotatedAt)}
            {secret.description ? <> · {secret.description}</> : null}
            {secret.tags.length ? <> · tags: {secret.tags.join(", ")}</> : null}
          </>
        }
        actions={
          canWrite ? (
            <ConfirmDialog
              trigger="Delete secret"
              triggerClassName="btn btn-danger"
              title={`Delete ${secret.name}?`}
              description="Every version is destroyed, grants are removed and active leases are revoked. This cannot be undone."
              action={deleteSecretAction}
              fields={{ id: secret.id, redirect: "1" }}
              confirmText={secret.name}
              confirmLabel="Delete for good"
            />
          ) : null
        }
      />
      <nav aria-label="Secret views" className="mb-4 flex gap-1 border-b border-slate-200" role="tablist">
        {tabs.map((t) => (
          <Link
            key={t.id}
            href={t.id === "overview" ? `/catalogue/${secret.id}` : `/catalogue/${secret.id}?tab=${t.id}`}
            role="tab"
            aria-selected={t.id === tab}
            aria-current={t.id === tab ? "page" : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${t.id === tab ? "border-indigo-600 text-indigo-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      <div role="tabpanel" aria-label={tabs.find((t) => t.id === tab)!.label}>
        {tab === "access" ? (
          <AccessTab secret={secret} orgId={orgId} search={search} />
        ) : tab === "blast-radius" ? (
          <BlastRadiusTab secret={secret} canWrite={canWrite} canRevoke={can(role, "leases:revoke")} orgId={orgId} />
        ) : (
          <OverviewTab secret={secret} orgId={orgId} canWrite={canWrite} canAudit={canAudit} canRevoke={can(role, "leases:revoke")} />
        )}
      </div>
    </>
  );
}

type SecretView = Awaited<ReturnType<typeof loadSecret>>;

/** Names for ids on this page: bot names and member emails. */
async function orgNames(orgId: string): Promise<Record<string, string>> {
  const [bots, users] = await Promise.all([
    prisma.bot.findMany({ where: { orgId }, select: { id: true, name: true } }),
    prisma.user.findMany({ where: { orgId }, select: { id: true, email: true } }),
  ]);
  return { ...Object.fromEntries(bots.map((b) => [b.id, b.name])), ...Object.fromEntries(users.map((u) => [u.id, u.email])) };
}

async function OverviewTab({ secret, orgId, canWrite, canAudit, canRevoke }: { secret: SecretView; orgId: string; canWrite: boolean; canAudit: boolean; canRevoke: boolean }) {
  const [grants, leases, audit, names] = await Promise.all([
    listGrants(prisma, { orgId, secretId: secret.id }),
    listLeases(prisma, { orgId, secretId: secret.id, limit: 50 }),
    canAudit ? listAuditEvents(prisma, { orgId, secretId: secret.id, limit: 50 }) : null,
    orgNames(orgId),
  ]);
  // Versions name who stored them: a member's email, or "system" for the bootstrap.
  const by = (createdBy: string) => names[createdBy] ?? (createdBy.startsWith("usr_") ? "a removed member" : createdBy);
  return (
    <>
      <div className="grid gap-6 lg:grid-cols-2">
        {canWrite ? <RotateForm id={secret.id} /> : null}
        <section className="card" aria-labelledby="versions-heading">
          <h2 id="versions-heading" className="font-semibold">
            Version history
          </h2>
          <p className="text-xs text-slate-500">Metadata only: values are never displayed.</p>
          <ul className="mt-2 divide-y divide-slate-100 text-sm">
            {secret.versions.map((v) => (
              <li key={v.version} className="flex flex-wrap justify-between gap-2 py-1.5">
                <span className="tabular-nums">v{v.version}</span>
                <span className="text-slate-600">
                  {formatTime(v.createdAt)} by {by(v.createdBy)} · key <code className="text-xs">{v.keyId}</code>
                </span>
              </li>
            ))}
          </ul>
        </section>
        <section className="card lg:col-span-2" aria-labelledby="grants-heading">
          <h2 id="grants-heading" className="font-semibold">
            Grants
          </h2>
          {grants.length === 0 ? (
            <p className="mt-2 text-sm text-slate-600">No bot may lease this secret yet. Grant it from a bot’s page.</p>
          ) : (
            <ul className="mt-2 divide-y divide-slate-100 text-sm">
              {grants.map((g) => (
                <li key={g.id} className="flex flex-wrap justify-between gap-2 py-1.5">
                  <Link href={`/bots/${g.botId}`} className="link">
                    {g.bot.name}
                  </Link>
                  <span className="text-slate-600">
                    max TTL {formatDuration(g.maxTtlSeconds)}
                    {g.singleUseOnly ? " · single-use only" : ""}
                    {g.revealToAgent ? " · value revealed to the agent" : ""}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <section className="mt-6 space-y-2" aria-labelledby="lease-history-heading">
        <h2 id="lease-history-heading" className="font-semibold">
          Lease history
        </h2>
        <LeasesTable data={leases.map((l) => ({ ...l, botName: names[l.botId] ?? "(deleted bot)" }))} canRevoke={canRevoke} />
      </section>
      {audit ? (
        <section className="mt-6 space-y-2" aria-labelledby="audit-heading">
          <h2 id="audit-heading" className="font-semibold">
            Audit trail
          </h2>
          <AuditTable data={audit.events} names={names} />
          <Link href={`/audit?secretId=${secret.id}`} className="link text-sm">
            Full timeline for this secret →
          </Link>
        </section>
      ) : null}
    </>
  );
}

async function AccessTab({ secret, orgId, search }: { secret: SecretView; orgId: string; search: Search }) {
  const raw = { days: str(search.days), from: str(search.from), to: str(search.to) };
  const parsed = secretAccessQuerySchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  const query = parsed.success ? parsed.data : secretAccessQuerySchema.parse({});
  const period = accessPeriod(query);
  const access = await listSecretAccess(prisma, { orgId, secretId: secret.id, ...period, limit: 500 });
  const custom = Boolean(query.from || query.to);
  const days = query.days ?? DEFAULT_ACCESS_DAYS;
  const periodQs = new URLSearchParams(Object.entries({ days: query.days ? String(query.days) : undefined, from: query.from, to: query.to }).filter((e): e is [string, string] => !!e[1])).toString();
  return (
    <div className="space-y-4">
      <section className="card space-y-3" aria-labelledby="period-heading">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="period-heading" className="font-semibold">
            Who accessed {secret.name} {custom ? "from " + formatTime(period.from) + " to " + formatTime(period.to) : days === 1 ? "in the last 24 hours" : `in the last ${days} days`}
          </h2>
          <a className="btn btn-sm" href={`/api/v1/secrets/${secret.id}/access?${periodQs ? periodQs + "&" : ""}format=csv`} download>
            Export CSV
          </a>
        </div>
        <nav aria-label="Period" className="flex flex-wrap gap-2 text-sm">
          {PRESET_DAYS.map((d) => (
            <Link key={d} href={`/catalogue/${secret.id}?tab=access${d === DEFAULT_ACCESS_DAYS ? "" : `&days=${d}`}`} className={`btn btn-sm ${!custom && days === d ? "btn-primary" : ""}`} aria-current={!custom && days === d ? "true" : undefined}>
              {d === 1 ? "Last 24 h" : `Last ${d} days`}
            </Link>
          ))}
        </nav>
        <form method="get" className="flex flex-wrap items-end gap-3" aria-label="Custom period">
          <input type="hidden" name="tab" value="access" />
          <label className="space-y-1 text-sm">
            <span className="font-medium">From (UTC)</span>
            <input name="from" aria-label="From (UTC)" defaultValue={formatUtcInput(query.from)} placeholder="YYYY-MM-DD HH:MM" className="input font-mono" />
          </label>
          <label className="space-y-1 text-sm">
            <span className="font-medium">To (UTC)</span>
            <input name="to" aria-label="To (UTC)" defaultValue={formatUtcInput(query.to)} placeholder="YYYY-MM-DD HH:MM" className="input font-mono" />
          </label>
          <button type="submit" className="btn">
            Show period
          </button>
          {!parsed.success ? (
            <p role="alert" className="text-sm text-red-700">
              That period was not understood (times are UTC, 24-hour: YYYY-MM-DD HH:MM); showing the last {DEFAULT_ACCESS_DAYS} days.
            </p>
          ) : null}
        </form>
        {access.bots.length ? (
          <ul className="divide-y divide-slate-100 text-sm" aria-label="Bots that accessed it">
            {access.bots.map((b) => (
              <li key={b.botId} className="flex flex-wrap justify-between gap-2 py-1.5">
                <Link href={`/bots/${b.botId}`} className="link">
                  {b.botName ?? "(deleted bot)"}
                </Link>
                <span className="text-slate-600">
                  {b.leases} lease{b.leases === 1 ? "" : "s"} · {b.resolves} read{b.resolves === 1 ? "" : "s"}
                  {b.denials ? ` · ${b.denials} denied` : ""} · last read {b.lastResolvedAt ? formatTime(b.lastResolvedAt) : "—"}
                </span>
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      <AccessTable data={access.rows} />
      {access.truncated ? <p className="text-sm text-slate-600">Showing the newest 500 events of this period; the CSV export has them all.</p> : null}
    </div>
  );
}

async function BlastRadiusTab({ secret, orgId, canWrite, canRevoke }: { secret: SecretView; orgId: string; canWrite: boolean; canRevoke: boolean }) {
  const radius = await getSecretBlastRadius(prisma, { orgId, secretId: secret.id });
  const granted = radius.bots.filter((b) => b.grant);
  return (
    <div className="space-y-6">
      <section className="space-y-2" aria-labelledby="bots-heading">
        <h2 id="bots-heading" className="font-semibold">
          Bots that can lease it
        </h2>
        <p className="text-sm text-slate-600">
          {radius.bots.filter((b) => b.canLease).length} bot(s) can lease {secret.name} now; {radius.activeLeaseCount} active lease(s).
        </p>
        <BlastRadiusTable data={radius.bots} />
      </section>
      <section className="space-y-2" aria-labelledby="active-heading">
        <h2 id="active-heading" className="font-semibold">
          Active leases
        </h2>
        <LeasesTable data={radius.activeLeases} canRevoke={canRevoke} />
      </section>
      {canWrite ? <RotateAndRevokeForm id={secret.id} activeLeases={radius.activeLeaseCount} bots={granted.map((b) => ({ name: b.botName, frozen: b.frozen }))} /> : null}
    </div>
  );
}
