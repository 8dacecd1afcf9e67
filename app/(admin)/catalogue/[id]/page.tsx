import { notFound } from "next/navigation";
import Link from "next/link";
import { ApiError } from "@/lib/api/errors";
import { requirePageUser } from "@/lib/auth/require-page-user";
import { can } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";
import { getSecretOrThrow } from "@/lib/secrets/get-secret-or-throw";
import { listGrants } from "@/lib/grants/list-grants";
import { listLeases } from "@/lib/leases/list-leases";
import { listAuditEvents } from "@/lib/audit/list-audit-events";
import { isId } from "@/lib/ids";
import { formatDuration, formatTime } from "@/lib/format";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { PageHeader } from "@/components/page-header";
import { LeasesTable } from "../../leases/columns";
import { AuditTable } from "../../audit/columns";
import { deleteSecretAction } from "../actions";
import { RotateForm } from "./rotate-form";

export const metadata = { title: "Secret" };

async function loadSecret(orgId: string, id: string) {
  if (!isId(id, "sec")) notFound();
  try {
    return await getSecretOrThrow(prisma, { orgId, id });
  } catch (err) {
    if (err instanceof ApiError && err.code === "not_found") notFound();
    throw err;
  }
}

export default async function SecretPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requirePageUser("metadata:read", `/catalogue/${id}`);
  const { orgId, role } = user;
  const secret = await loadSecret(orgId, id);
  const canAudit = can(role, "audit:read");
  const [grants, leases, audit, bots] = await Promise.all([
    listGrants(prisma, { orgId, secretId: id }),
    listLeases(prisma, { orgId, secretId: id, limit: 50 }),
    canAudit ? listAuditEvents(prisma, { orgId, secretId: id, limit: 50 }) : null,
    prisma.bot.findMany({ where: { orgId }, select: { id: true, name: true } }),
  ]);
  const botNames = Object.fromEntries(bots.map((b) => [b.id, b.name]));
  const canWrite = can(role, "catalogue:write");
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
                  {formatTime(v.createdAt)} by <code className="text-xs">{v.createdBy}</code> · key <code className="text-xs">{v.keyId}</code>
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
        <LeasesTable data={leases.map((l) => ({ ...l, botName: botNames[l.botId] ?? l.botId }))} canRevoke={can(role, "leases:revoke")} />
      </section>
      {audit ? (
        <section className="mt-6 space-y-2" aria-labelledby="audit-heading">
          <h2 id="audit-heading" className="font-semibold">
            Audit trail
          </h2>
          <AuditTable data={audit.events} names={botNames} />
          <Link href={`/audit?secretId=${secret.id}`} className="link text-sm">
            Full timeline for this secret →
          </Link>
        </section>
      ) : null}
    </>
  );
}
