"use client";
import type { ColumnDef } from "@tanstack/react-table";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { DataTable } from "@/components/data-table";
import { StatusBadge } from "@/components/status-badge";
import { formatTime } from "@/lib/format";
import { revokeApiTokenAction } from "./actions";

// Never the token or its hash: the listing has neither.
export interface TokenRow {
  id: string;
  name: string;
  userId: string;
  userEmail: string;
  status: "active" | "expired" | "revoked";
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdByTokenId: string | null;
}

function columns(showMember: boolean, selfId: string, names: Map<string, string>): ColumnDef<TokenRow>[] {
  // Times may wrap (date over time): with the member column the table is wide.
  const when = (d: Date | null, none: string) => <span className="text-xs">{d ? formatTime(d) : none}</span>;
  return [
    {
      header: "Name",
      accessorKey: "name",
      cell: ({ row }) => (
        <div>
          <span className="font-medium">{row.original.name}</span>
          <span className="block font-mono text-xs text-slate-500">{row.original.id}</span>
          {row.original.createdByTokenId ? (
            <span className="block text-xs text-slate-500">created with token {names.get(row.original.createdByTokenId) ?? row.original.createdByTokenId}</span>
          ) : null}
        </div>
      ),
    },
    ...(showMember
      ? [{ header: "Member", accessorKey: "userEmail", cell: ({ row }) => (row.original.userId === selfId ? `${row.original.userEmail} (you)` : row.original.userEmail) } satisfies ColumnDef<TokenRow>]
      : []),
    {
      header: "Status",
      accessorKey: "status",
      cell: ({ row }) => (
        <div>
          <StatusBadge status={row.original.status} />
          {row.original.revokedAt ? <span className="mt-1 block text-xs text-slate-500">{formatTime(row.original.revokedAt)}</span> : null}
        </div>
      ),
    },
    { header: "Created", accessorKey: "createdAt", cell: ({ row }) => when(row.original.createdAt, "—") },
    { header: "Expires", accessorKey: "expiresAt", cell: ({ row }) => when(row.original.expiresAt, "never") },
    { header: "Last used", accessorKey: "lastUsedAt", cell: ({ row }) => when(row.original.lastUsedAt, "never") },
    {
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
      cell: ({ row }) =>
        row.original.status === "active" ? (
          <ConfirmDialog
            trigger="Revoke"
            triggerClassName="btn btn-sm btn-danger"
            title={`Revoke the token “${row.original.name}”?`}
            description="Its next request is refused with 401. This cannot be undone; create a new token if it is still needed."
            action={revokeApiTokenAction}
            fields={{ id: row.original.id }}
            confirmLabel="Revoke token"
          />
        ) : null,
    },
  ];
}

export function TokensTable({ data, showMember, selfId }: { data: TokenRow[]; showMember: boolean; selfId: string }) {
  const names = new Map(data.map((t) => [t.id, t.name]));
  return (
    <DataTable
      columns={columns(showMember, selfId, names)}
      data={data}
      getRowId={(r) => r.id}
      clientSort
      caption="API tokens"
      empty="No API tokens. Create one above for scripts and automation that call the admin API."
    />
  );
}
