"use client";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { DataTable } from "@/components/data-table";
import { formatDuration } from "@/lib/format";
import { UtcTime } from "@/components/utc-time";
import { deleteGrantAction, setRevealToAgentAction } from "../actions";
import { REVEAL_WARNING } from "./grant-form";

export interface GrantRow {
  id: string;
  secretId: string;
  secret: { name: string; scope: string };
  maxTtlSeconds: number | null;
  singleUseOnly: boolean;
  revealToAgent: boolean;
  createdAt: Date;
  /** The mount the grant is limited to, if any. */
  mount?: string | null;
  activeLeases?: number;
  lastResolvedAt?: Date | null;
}

function columns(canWrite: boolean): ColumnDef<GrantRow>[] {
  return [
    {
      header: "Secret",
      id: "secret",
      cell: ({ row }) => (
        <Link href={`/catalogue/${row.original.secretId}`} className="link font-mono">
          {row.original.secret.name}
        </Link>
      ),
    },
    { header: "Scope", id: "scope", cell: ({ row }) => row.original.secret.scope },
    {
      header: "Limits",
      id: "limits",
      cell: ({ row }) => (
        <span className="text-xs">
          <span className="block">max TTL {row.original.maxTtlSeconds ? formatDuration(row.original.maxTtlSeconds) : "of the policy"}</span>
          {row.original.singleUseOnly ? <span className="block">single-use only</span> : null}
          <span className="block">{row.original.mount ? `only via mount ${row.original.mount}` : "any mount or none"}</span>
        </span>
      ),
    },
    {
      header: "Agent sees value",
      accessorKey: "revealToAgent",
      cell: ({ row }) => {
        const { id, revealToAgent, secret } = row.original;
        const state = revealToAgent ? <strong className="text-amber-800">yes</strong> : "no";
        if (!canWrite) return state;
        return (
          <span className="flex items-center gap-2">
            {state}
            <ConfirmDialog
              trigger={revealToAgent ? "Stop revealing" : "Reveal"}
              title={revealToAgent ? `Give the agent references to ${secret.name} only?` : `Reveal ${secret.name} to the agent?`}
              description={revealToAgent ? "vault_read will return {{secret:NAME}} references again, not the value." : REVEAL_WARNING}
              action={setRevealToAgentAction}
              fields={{ id, revealToAgent: revealToAgent ? "0" : "1" }}
              confirmLabel={revealToAgent ? "References only" : "Reveal the value"}
            />
          </span>
        );
      },
    },
    { header: "Active", accessorKey: "activeLeases", cell: ({ row }) => <span className="tabular-nums">{row.original.activeLeases ?? 0}</span> },
    { header: "Last read", accessorKey: "lastResolvedAt", cell: ({ row }) => (row.original.lastResolvedAt ? <UtcTime value={row.original.lastResolvedAt} /> : "never") },
    { header: "Granted", accessorKey: "createdAt", cell: ({ row }) => <UtcTime value={row.original.createdAt} /> },
    {
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
      cell: ({ row }) =>
        canWrite ? (
          <ConfirmDialog
            trigger="Remove"
            title={`Remove the grant on ${row.original.secret.name}?`}
            description="The bot can no longer request new leases of it. Leases already issued stay until they expire or are revoked."
            action={deleteGrantAction}
            fields={{ id: row.original.id }}
            confirmLabel="Remove grant"
          />
        ) : null,
    },
  ];
}

export function GrantsTable({ data, canWrite }: { data: GrantRow[]; canWrite: boolean }) {
  return <DataTable columns={columns(canWrite)} data={data} getRowId={(r) => r.id} caption="Secrets this bot can lease" empty="This bot may not lease anything yet. Grant it a secret above." />;
}
