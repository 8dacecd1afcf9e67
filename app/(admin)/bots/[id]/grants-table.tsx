"use client";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { DataTable } from "@/components/data-table";
import { formatDuration, formatTime } from "@/lib/format";
import { deleteGrantAction } from "../actions";

export interface GrantRow {
  id: string;
  secretId: string;
  secret: { name: string; scope: string };
  maxTtlSeconds: number | null;
  singleUseOnly: boolean;
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
    { header: "Max TTL", accessorKey: "maxTtlSeconds", cell: ({ row }) => (row.original.maxTtlSeconds ? formatDuration(row.original.maxTtlSeconds) : "policy max") },
    { header: "Single-use only", accessorKey: "singleUseOnly", cell: ({ row }) => (row.original.singleUseOnly ? "yes" : "no") },
    { header: "Mount", accessorKey: "mount", cell: ({ row }) => (row.original.mount ? `only via ${row.original.mount}` : "any") },
    { header: "Active leases", accessorKey: "activeLeases", cell: ({ row }) => <span className="tabular-nums">{row.original.activeLeases ?? 0}</span> },
    { header: "Last read (UTC)", accessorKey: "lastResolvedAt", cell: ({ row }) => <span className="whitespace-nowrap">{row.original.lastResolvedAt ? formatTime(row.original.lastResolvedAt) : "never"}</span> },
    { header: "Granted (UTC)", accessorKey: "createdAt", cell: ({ row }) => <span className="whitespace-nowrap">{formatTime(row.original.createdAt)}</span> },
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
