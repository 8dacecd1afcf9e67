import Link from "next/link";
import { requirePageUser } from "@/lib/auth/require-page-user";
import { can } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";
import { getOverviewStats } from "@/lib/overview/get-overview-stats";
import { getOverviewActivity } from "@/lib/overview/get-overview-activity";
import { sealForReading } from "@/lib/audit/seal-for-reading";
import { ActivityChart, RankChart } from "@/components/charts";
import { daysAgo, formatTime } from "@/lib/format";
import { PageHeader } from "@/components/page-header";

export const metadata = { title: "Overview" };

/** `href` null: the figure stays, but its detail page is one the role may not open. */
function Stat({ label, value, href }: { label: string; value: number; href: string | null }) {
  const body = (
    <>
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</p>
      <p className="mt-1 text-3xl font-semibold tabular-nums" data-stat={label}>
        {value}
      </p>
    </>
  );
  return href ? (
    <Link href={href} className="card block hover:border-indigo-300">
      {body}
    </Link>
  ) : (
    <div className="card">{body}</div>
  );
}

export default async function OverviewPage() {
  const user = await requirePageUser("metadata:read", "/overview");
  // The figures read sealed events: seal what is pending first, as the audit list does, so both agree.
  await sealForReading(prisma, user.orgId);
  const now = new Date();
  const [stats, activity] = await Promise.all([getOverviewStats(prisma, { orgId: user.orgId, role: user.role, now }), getOverviewActivity(prisma, { orgId: user.orgId, now })]);
  const canAudit = can(user.role, "audit:read");
  const since = stats.since.toISOString();
  const hour = (d: Date) => d.toISOString().slice(11, 13);
  const day = (d: Date) => d.toISOString().slice(5, 10);
  return (
    <>
      <PageHeader title="Overview" description="What the vault's bots are doing right now." />
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-5">
        <Stat label="Active leases" value={stats.activeLeases} href="/leases?status=active" />
        <Stat label="Issued (24 h)" value={stats.issued24h} href={canAudit ? `/audit?type=lease.granted&from=${since}` : null} />
        <Stat label="Denied (24 h)" value={stats.denied24h} href={canAudit ? `/audit?outcome=denied&from=${since}` : null} />
        <Stat label="Awaiting approval" value={stats.pendingApprovals} href="/approvals" />
        <Stat label="Frozen bots" value={stats.frozenBots.length} href="/bots" />
      </div>
      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <ActivityChart id="activity-24h" title="Last 24 hours (per hour, UTC)" buckets={activity.hourly} tick={hour} every={3} empty="No lease was issued or denied in the last 24 hours." />
        <ActivityChart id="activity-7d" title="Last 7 days (per day, UTC)" buckets={activity.daily} tick={day} empty="No lease was issued or denied in the last 7 days." />
        <RankChart
          id="top-secrets"
          title="Most-accessed secrets (7 days)"
          items={activity.topSecrets.map((s) => ({
            key: `${s.secretId ?? s.name}:${s.scope ?? ""}`,
            label: (
              <span className="font-mono">
                {s.name} <span className="text-slate-500">({s.scope ?? "—"})</span>
              </span>
            ),
            count: s.count,
            href: s.secretId ? `/catalogue/${s.secretId}` : null,
          }))}
          empty="No secret value was read in the last 7 days."
        />
        <RankChart
          id="top-denied-bots"
          title="Most-denied bots (7 days)"
          color="var(--color-red-500)"
          items={activity.topDeniedBots.map((b) => ({ key: b.botId, label: b.name ?? `deleted bot ${b.botId}`, count: b.count, href: b.name ? `/bots/${b.botId}` : null }))}
          empty="No bot was denied anything in the last 7 days."
        />
        <section className="card" aria-labelledby="rotation-heading">
          <h2 id="rotation-heading" className="font-semibold">
            Due for rotation
          </h2>
          <p className="text-xs text-slate-500">Not rotated within the policy's {stats.rotationPeriodDays} days.</p>
          {stats.secretCount === 0 ? (
            <p className="mt-3 text-sm text-slate-600">The catalogue is empty: there is nothing to rotate yet.</p>
          ) : stats.dueForRotation.length === 0 ? (
            <p className="mt-3 text-sm text-slate-600">
              All {stats.secretCount} secret{stats.secretCount === 1 ? " was" : "s were"} rotated within the last {stats.rotationPeriodDays} days.
            </p>
          ) : (
            <ul className="mt-3 divide-y divide-slate-100 text-sm">
              {stats.dueForRotation.map((s) => (
                <li key={s.id} className="flex justify-between gap-2 py-1.5">
                  <Link href={`/catalogue/${s.id}`} className="link font-mono">
                    {s.name} <span className="text-slate-500">({s.scope})</span>
                  </Link>
                  <span className="text-slate-600">{daysAgo(s.rotatedAt)} days</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card" aria-labelledby="frozen-heading">
          <h2 id="frozen-heading" className="font-semibold">
            Frozen bots
          </h2>
          {stats.frozenBots.length === 0 ? (
            <p className="mt-3 text-sm text-slate-600">No bot is frozen.</p>
          ) : (
            <ul className="mt-3 divide-y divide-slate-100 text-sm">
              {stats.frozenBots.map((b) => (
                <li key={b.id} className="flex justify-between gap-2 py-1.5">
                  <Link href={`/bots/${b.id}`} className="link">
                    {b.name}
                  </Link>
                  <span className="text-slate-600">since {formatTime(b.frozenAt)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        {stats.recentDenials ? (
          <section className="card lg:col-span-2" aria-labelledby="denials-heading">
            <h2 id="denials-heading" className="font-semibold">
              Recent denials (last 24 hours)
            </h2>
            <p className="text-xs text-slate-500">
              {stats.recentDenials.length < stats.denied24h ? `The latest ${stats.recentDenials.length} of ${stats.denied24h}. ` : null}
              Every refusal counts: lease requests, resolves, sign-ins and admin actions.
            </p>
            {stats.recentDenials.length === 0 ? (
              <p className="mt-3 text-sm text-slate-600">Nothing was denied in the last 24 hours.</p>
            ) : (
              <ul className="mt-3 divide-y divide-slate-100 text-sm" data-testid="recent-denials">
                {stats.recentDenials.map((e) => (
                  <li key={e.id} className="flex flex-wrap justify-between gap-2 py-1.5">
                    <span className="min-w-0 [overflow-wrap:anywhere]">
                      <Link href={denialHref(e)} className="link">
                        <code className="text-xs">{e.type}</code>
                      </Link>{" "}
                      {e.botId ? (
                        <>
                          by <strong>{e.botName ?? `deleted bot ${e.botId}`}</strong>{" "}
                        </>
                      ) : null}
                      {e.secretName ? <span className="font-mono">{e.secretName}</span> : null} — {e.reason}
                    </span>
                    <span className="text-slate-600">{formatTime(e.createdAt)}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        ) : null}
      </div>
    </>
  );
}

/** The audit timeline narrowed to this one event: its type, bot and millisecond. */
function denialHref(e: { type: string; botId: string | null; createdAt: Date }) {
  const params = new URLSearchParams({ type: e.type, outcome: "denied", from: e.createdAt.toISOString(), to: new Date(e.createdAt.getTime() + 1).toISOString() });
  if (e.botId) params.set("botId", e.botId);
  return `/audit?${params}`;
}
