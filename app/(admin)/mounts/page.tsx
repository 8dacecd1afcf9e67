import { headers } from "next/headers";
import { requirePageUser } from "@/lib/auth/require-page-user";
import { can } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";
import { listBots } from "@/lib/bots/list-bots";
import { listMounts } from "@/lib/mounts/list-mounts";
import { mcpClientConfig } from "@/lib/mounts/mcp-client-config";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { CopyButton } from "@/components/copy-button";
import { PageHeader } from "@/components/page-header";
import { Disclosure } from "@/components/disclosure";
import { formatDuration } from "@/lib/format";
import { CreateMountForm } from "./create-mount-form";
import { deleteMountAction } from "./actions";

export const metadata = { title: "Mounts" };

/** Where a mapped secret goes: an env var, args/headers, and which tool calls may reference it. */
function describeMapping(x: { secret: string; scope?: string; env: string | null; tools?: string[] }) {
  const name = `${x.secret}${x.scope ? `@${x.scope}` : ""}`;
  const where = x.env ? `$${x.env}` : x.tools ? "tool calls" : "args/headers";
  return `${name} → ${where}${x.tools ? ` (only ${x.tools.join(", ")})` : ""}`;
}

export default async function MountsPage() {
  const user = await requirePageUser("metadata:read", "/mounts");
  const orgId = user.orgId;
  const [mounts, bots] = await Promise.all([listMounts(prisma, { orgId }), listBots(prisma, { orgId })]);
  const h = await headers();
  const vaultUrl = `${h.get("x-forwarded-proto") ?? "http"}://${h.get("host") ?? "localhost:3000"}`;
  const writable = can(user.role, "grants:write");
  return (
    <>
      <PageHeader
        title="Mounts"
        description="Launch recipes for MCP servers: runtime-vault mcp run leases the mapped secrets as the mount's bot and hands them to the server, masked as <secret:NAME> in everything the model sees."
      />
      <div className="space-y-6">
        {writable ? (
          <Disclosure label="Create a mount">
            <CreateMountForm bots={bots.map((b) => ({ id: b.id, name: b.name }))} />
          </Disclosure>
        ) : null}
        {mounts.length === 0 ? (
          <p className="card text-sm text-slate-600">No mounts yet. Create one for each MCP server that needs a credential, then grant its bot the secrets (optionally limited to the mount).</p>
        ) : (
          mounts.map((m) => {
            const { json } = mcpClientConfig({ mount: m, vaultUrl });
            return (
              <section key={m.id} className="card space-y-3" aria-labelledby={`mount-${m.id}`}>
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <h2 id={`mount-${m.id}`} className="font-semibold">
                    {m.name} <span className="text-sm font-normal text-slate-600">as {m.bot.name}</span>
                  </h2>
                  {writable ? (
                    <ConfirmDialog trigger="Delete" title={`Delete mount ${m.name}?`} description="Grants limited to this mount are removed too." action={deleteMountAction} fields={{ id: m.id }} confirmLabel="Delete mount" />
                  ) : null}
                </div>
                <dl className="grid gap-1 text-sm md:grid-cols-[10rem_1fr]">
                  {m.url ? (
                    <>
                      <dt className="text-slate-600">Remote server</dt>
                      <dd className="font-mono break-all">{m.url}</dd>
                      <dt className="text-slate-600">Headers</dt>
                      <dd className="font-mono break-all">{Object.entries(m.headers).map(([h, v]) => `${h}: ${v}`).join(", ") || "none"}</dd>
                    </>
                  ) : (
                    <>
                      <dt className="text-slate-600">Command</dt>
                      <dd className="font-mono break-all">{[m.command, ...m.args].join(" ")}</dd>
                    </>
                  )}
                  <dt className="text-slate-600">Secrets</dt>
                  <dd className="font-mono [overflow-wrap:anywhere]">{m.mappings.map(describeMapping).join(", ")}</dd>
                  <dt className="text-slate-600">Justification</dt>
                  <dd>{m.justificationTemplate}</dd>
                  <dt className="text-slate-600">Lease TTL</dt>
                  <dd data-testid="mount-ttl">{m.ttlSeconds ? formatDuration(m.ttlSeconds) : "the policy’s default"}</dd>
                  <dt className="text-slate-600">Grants limited to it</dt>
                  <dd>{m.grantCount}</dd>
                </dl>
                <div className="space-y-1">
                  <div className="flex items-center justify-between">
                    <h3 className="text-sm font-medium">MCP client configuration</h3>
                    <CopyButton value={json} />
                  </div>
                  <pre className="whitespace-pre-wrap break-all rounded bg-slate-900 p-3 text-xs text-slate-100">{json}</pre>
                  <p className="text-xs text-slate-600">It holds no secret: paste the bot’s token in place of the placeholder.</p>
                </div>
              </section>
            );
          })
        )}
      </div>
    </>
  );
}
