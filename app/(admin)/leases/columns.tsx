"use client";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { StatusBadge } from "@/components/status-badge";
import { formatTime } from "@/lib/format";
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
    { header: "Status", accessorKey: "status", cell: ({ row }) => <StatusBadge status={row.original.status} /> },
    {
      header: "Bot",
      accessorKey: "botName",
      cell: ({ row }) => (
        <Link href={`/bots/${row.original.botId}`} className="link">
          {row.original.botName}
        </Link>
      ),
    },
    {
      header: "Secret",
      accessorKey: "secretName",
      cell: ({ row }) =>
        row.original.secretId ? (
          <Link href={`/catalogue/${row.original.secretId}`} className="link font-mono">
            {row.original.secretName}
          </Link>
        ) : (
          <span className="font-mono">{row.original.secretName}</span>
        ),
    },
    { header: "Scope", accessorKey: "scope" },
    { header: "Justification", accessorKey: "justification", cell: ({ row }) => <span className="line-clamp-2 max-w-xs text-slate-700">{row.original.justification || "—"}</span> },
    { header: "Requested", accessorKey: "createdAt", cell: ({ row }) => <span className="whitespace-nowrap">{formatTime(row.original.createdAt)}</span> },
    { header: "Expires", accessorKey: "expiresAt", cell: ({ row }) => <span className="whitespace-nowrap">{formatTime(row.original.expiresAt)}</span> },
    { header: "Resolves", accessorKey: "resolveCount", cell: ({ row }) => <span className="tabular-nums">{row.original.resolveCount}{row.original.singleUse ? " (single-use)" : ""}</span> },
    {
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
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

export function LeasesTable({ data, canRevoke }: { data: LeaseRow[]; canRevoke: boolean }) {
  return (
    <DataTable
      columns={columns(canRevoke)}
      data={data}
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
