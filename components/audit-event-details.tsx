"use client";
// An audit event as labelled fields (who, when, why, where, what), with the raw JSON a
// toggle away. Used as the timeline's expanded row; the ids link to filtered views.
import { useState, type ReactNode } from "react";
import Link from "next/link";
import { formatTime } from "@/lib/format";
import type { ChainedFields } from "@/lib/audit/canonical";

/** A sealed event as the timeline reads it: the chained fields plus its place in the chain. */
export type AuditEventView = Omit<ChainedFields, "orgId" | "createdAt"> & { seq: number; createdAt: Date | string; prevHash: string; hash: string };

/** Names for ids: bot names and member emails (never a raw id when a name is known). */
export type Names = Record<string, string>;

/** "member alice@…", "bot ledger-bot", "system": the actor as people read it. */
export function actorLabel(e: Pick<AuditEventView, "actorType" | "actorId">, names: Names): string {
  if (!e.actorId) return e.actorType;
  const name = names[e.actorId];
  if (e.actorType === "user") return name ?? "a removed member";
  if (e.actorType === "bot") return `bot ${name ?? "(deleted)"}`;
  return name ?? e.actorType;
}

/** The mount and MCP tool a lease event carries in its data, when it was taken through one. */
export function mountAndTool(data: unknown): { mount: string | null; tool: string | null } {
  const d = data && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  return { mount: typeof d.mount === "string" ? d.mount : null, tool: typeof d.tool === "string" ? d.tool : null };
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[9rem_1fr] gap-2 py-1">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words text-sm text-slate-800">{children}</dd>
    </div>
  );
}

function dataEntries(data: unknown): [string, string][] {
  if (data === null || data === undefined) return [];
  if (typeof data !== "object" || Array.isArray(data)) return [["value", JSON.stringify(data)]];
  return Object.entries(data as Record<string, unknown>).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]);
}

export function AuditEventDetails({ event, names }: { event: AuditEventView; names: Names }) {
  const [raw, setRaw] = useState(false);
  const e = event;
  return (
    <div className="space-y-2" data-testid="audit-detail">
      <div className="flex items-center justify-between gap-2">
        <h3 className="text-sm font-semibold">
          Event #{e.seq} <code className="text-xs font-normal">{e.type}</code>
        </h3>
        <button type="button" className="btn btn-sm" aria-pressed={raw} onClick={() => setRaw(!raw)}>
          {raw ? "Labelled fields" : "Raw JSON"}
        </button>
      </div>
      {raw ? (
        <pre className="max-h-96 overflow-auto whitespace-pre-wrap break-all rounded bg-white p-3 font-mono text-xs">{JSON.stringify(e, null, 2)}</pre>
      ) : (
        <dl className="grid gap-x-6 rounded bg-white p-3 lg:grid-cols-2">
          <Field label="When">{formatTime(e.createdAt)}</Field>
          <Field label="Outcome">{e.outcome}</Field>
          <Field label="Actor">
            {e.actorType === "bot" && e.actorId ? (
              <Link href={`/bots/${e.actorId}`} className="link">
                {actorLabel(e, names)}
              </Link>
            ) : (
              actorLabel(e, names)
            )}
          </Field>
          <Field label="Bot">
            {e.botId ? (
              <>
                <Link href={`/bots/${e.botId}`} className="link">
                  {names[e.botId] ?? "(deleted bot)"}
                </Link>{" "}
                ·{" "}
                <Link href={`/audit?botId=${e.botId}`} className="link text-xs">
                  its events
                </Link>
              </>
            ) : (
              "—"
            )}
          </Field>
          <Field label="Secret">
            {e.secretName ? (
              <>
                {e.secretId ? (
                  <Link href={`/catalogue/${e.secretId}`} className="link font-mono">
                    {e.secretName}
                  </Link>
                ) : (
                  <span className="font-mono">{e.secretName}</span>
                )}
                {e.scope ? <> ({e.scope})</> : null}
                {e.secretVersion !== null ? <> · v{e.secretVersion}</> : null}
              </>
            ) : (
              "—"
            )}
          </Field>
          <Field label="Lease">
            {e.leaseId ? (
              <Link href={`/audit?leaseId=${e.leaseId}`} className="link font-mono text-xs">
                {e.leaseId} (all its events)
              </Link>
            ) : (
              "—"
            )}
          </Field>
          <Field label="Justification">
            <span className="whitespace-pre-wrap">{e.justification ?? "—"}</span>
          </Field>
          <Field label="Reason">
            <span className="whitespace-pre-wrap">{e.reason ?? "—"}</span>
          </Field>
          <Field label="Client address">{e.ip ?? "—"}</Field>
          {dataEntries(e.data).map(([k, v]) => (
            <Field key={k} label={k}>
              <span className="font-mono text-xs">{v}</span>
            </Field>
          ))}
          <Field label="Event id">
            <code className="text-xs">{e.id}</code>
          </Field>
          <Field label="Hash">
            <code className="break-all text-xs">{e.hash}</code>
          </Field>
        </dl>
      )}
    </div>
  );
}
