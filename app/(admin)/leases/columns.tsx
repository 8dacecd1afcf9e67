"use client";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable, LongText, TimeCell, type PageInfo, type ServerSort } from "@/components/data-table";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { StatusBadge } from "@/components/status-badge";
import { revokeLeasesAction } from "./actions";

export interface LeaseRow {
  id: string;
  botId: string;
  botName: string;
  secretId: string | null;
  secretName: string;
  scope: string;
  justification: string;
  singleUse: boolean;
  status: string;
  expiresAt: Date;
  resolveCount: number;
  createdAt: Date;
  revokeReason: string | null;
}

const revocable = (status: string) => status === "active" || status === "pending";

function columns(canRevoke: boolean): ColumnDef<LeaseRow>[] {
  return [
    { header: "Status", accessorKey: "status", meta: { priority: 1 }, cell: ({ row }) => <StatusBadge status={row.original.status} /> },
    {
      header: "Bot",
      accessorKey: "botName",
      // Room for a usual name on one line; only an unusually long one wraps mid-word.
      meta: { priority: 1, className: "min-w-28" },
      cell: ({ row }) => (
        <Link href={`/bots/${row.original.botId}`} className="link">
          {row.original.botName}
        </Link>
      ),
    },
    {
      // The scope sits under the name: one column instead of two keeps the row within 1280 px.
      header: "Secret",
      accessorKey: "secretName",
      meta: { priority: 1, className: "min-w-36" },
      cell: ({ row }) => (
        <div>
          {row.original.secretId ? (
            <Link href={`/catalogue/${row.original.secretId}`} className="link font-mono">
              {row.original.secretName}
            </Link>
          ) : (
            <span className="font-mono">{row.original.secretName}</span>
          )}
          <span className="block text-xs text-slate-500">{row.original.scope}</span>
        </div>
      ),
    },
    { header: "Justification", accessorKey: "justification", meta: { priority: 2, className: "min-w-48" }, cell: ({ row }) => <LongText text={row.original.justification} /> },
    { header: "Requested", accessorKey: "createdAt", meta: { priority: 3 }, cell: ({ row }) => <TimeCell value={row.original.createdAt} /> },
    { header: "Expires", accessorKey: "expiresAt", meta: { priority: 2 }, cell: ({ row }) => <TimeCell value={row.original.expiresAt} /> },
    {
      header: "Resolves",
      accessorKey: "resolveCount",
      meta: { priority: 3 },
      cell: ({ row }) => (
        <span className="tabular-nums">
          {row.original.resolveCount}
          {row.original.singleUse ? <span className="block text-xs text-slate-500">single-use</span> : null}
        </span>
      ),
    },
    {
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
      meta: { priority: 1, label: "" },
      cell: ({ row }) =>
        canRevoke && revocable(row.original.status) ? (
          <ConfirmDialog
            trigger="Revoke"
            triggerClassName="btn btn-sm"
            title={`Revoke this lease of ${row.original.secretName}?`}
            description={`${row.original.botName}'s next resolve will answer 410.`}
            action={revokeLeasesAction}
            fields={{ id: row.original.id }}
            reason="optional"
            confirmLabel="Revoke lease"
          />
        ) : row.original.revokeReason ? (
          <span className="text-xs text-slate-500">{row.original.revokeReason}</span>
        ) : null,
    },
  ];
}

export function LeasesTable({ data, canRevoke, paging, sort }: { data: LeaseRow[]; canRevoke: boolean; paging?: PageInfo; sort?: ServerSort }) {
  return (
    <DataTable
      columns={columns(canRevoke)}
      data={data}
      paging={paging}
      serverSort={sort}
      getRowId={(r) => r.id}
      caption="Leases"
      selectable={canRevoke}
      empty="No leases match. Leases appear here when a bot requests one with POST /api/leases."
      toolbar={
        canRevoke
          ? (selected) => {
              const ids = selected.filter((l) => revocable(l.status)).map((l) => l.id);
              return (
                <SelectedRevoke ids={ids} />
              );
            }
          : undefined
      }
    />
  );
}

function SelectedRevoke({ ids }: { ids: string[] }) {
  return (
    <ConfirmDialog
      trigger={`Revoke selected (${ids.length})`}
      triggerClassName="btn btn-sm"
      disabled={ids.length === 0}
      title={`Revoke ${ids.length} selected lease${ids.length === 1 ? "" : "s"}?`}
      description="Their next resolve answers 410. Pending requests among them are cancelled."
      action={revokeLeasesAction}
      reason="optional"
      confirmLabel="Revoke selected"
    >
      {ids.map((id) => (
        <input key={id} type="hidden" name="id" value={id} />
      ))}
    </ConfirmDialog>
  );
}
