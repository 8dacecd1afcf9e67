"use client";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { DataTable } from "@/components/data-table";
import { formatDuration, formatTime } from "@/lib/format";
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
    { header: "Max TTL", accessorKey: "maxTtlSeconds", cell: ({ row }) => (row.original.maxTtlSeconds ? formatDuration(row.original.maxTtlSeconds) : "policy max") },
    { header: "Single-use only", accessorKey: "singleUseOnly", cell: ({ row }) => (row.original.singleUseOnly ? "yes" : "no") },
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
    { header: "Granted", accessorKey: "createdAt", cell: ({ row }) => formatTime(row.original.createdAt) },
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
  return <DataTable columns={columns(canWrite)} data={data} getRowId={(r) => r.id} caption="Grants of this bot" empty="This bot may not lease anything yet. Grant it a secret above." />;
}
