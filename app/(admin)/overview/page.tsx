import Link from "next/link";
import { requirePageUser } from "@/lib/auth/require-page-user";
import { can } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";
import { getOverviewStats } from "@/lib/overview/get-overview-stats";
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
  const stats = await getOverviewStats(prisma, { orgId: user.orgId, role: user.role });
  const canAudit = can(user.role, "audit:read");
  return (
    <>
      <PageHeader title="Overview" description="What the vault's bots are doing right now." />
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-5">
        <Stat label="Active leases" value={stats.activeLeases} href="/leases?status=active" />
        <Stat label="Issued (24 h)" value={stats.issued24h} href={canAudit ? "/audit?type=lease.granted" : null} />
        <Stat label="Denied (24 h)" value={stats.denied24h} href={canAudit ? "/audit?outcome=denied" : null} />
        <Stat label="Awaiting approval" value={stats.pendingApprovals} href="/approvals" />
        <Stat label="Frozen bots" value={stats.frozenBots.length} href="/bots" />
      </div>
      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <section className="card" aria-labelledby="rotation-heading">
          <h2 id="rotation-heading" className="font-semibold">
            Due for rotation
          </h2>
          <p className="text-xs text-slate-500">Not rotated within the policy's {stats.rotationPeriodDays} days.</p>
          {stats.dueForRotation.length === 0 ? (
            <p className="mt-3 text-sm text-slate-600">Every secret was rotated recently.</p>
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
              Recent denials
            </h2>
            {stats.recentDenials.length === 0 ? (
              <p className="mt-3 text-sm text-slate-600">Nothing was denied yet.</p>
            ) : (
              <ul className="mt-3 divide-y divide-slate-100 text-sm">
                {stats.recentDenials.map((e) => (
                  <li key={e.id} className="flex flex-wrap justify-between gap-2 py-1.5">
                    <span>
                      <code className="text-xs">{e.type}</code> {e.secretName ? <span className="font-mono">{e.secretName}</span> : null} — {e.reason}
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
