"use client";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { DataTable } from "@/components/data-table";
import { formatDuration, formatTime } from "@/lib/format";
import { approveAction, denyAction } from "./actions";

export interface PendingRow {
  id: string;
  botId: string;
  botName: string;
  secretId: string | null;
  secretName: string;
  scope: string;
  justification: string;
  ttlSeconds: number;
  singleUse: boolean;
  createdAt: Date;
  approvalDeadline: Date;
  approvedBy: string[];
  /** Why the current user may not decide, if so (e.g. they created the bot). */
  blockedReason: string | null;
  /** Why nobody may approve it, though it can be denied. */
  approveBlockedReason: string | null;
}

function columns(canDecide: boolean, required: number): ColumnDef<PendingRow>[] {
  return [
    {
      header: "Bot",
      accessorKey: "botName",
      cell: ({ row }) => (
        <Link href={`/bots/${row.original.botId}`} className="link">
          {row.original.botName}
        </Link>
      ),
    },
    { header: "Secret", id: "secret", cell: ({ row }) => <span className="font-mono">{row.original.secretName} <span className="font-sans text-slate-500">({row.original.scope})</span></span> },
    { header: "Justification", accessorKey: "justification", cell: ({ row }) => <span className="block max-w-sm whitespace-pre-wrap">{row.original.justification || "—"}</span> },
    { header: "TTL", accessorKey: "ttlSeconds", cell: ({ row }) => `${formatDuration(row.original.ttlSeconds)}${row.original.singleUse ? " · single-use" : ""}` },
    { header: "Requested", accessorKey: "createdAt", cell: ({ row }) => <span className="whitespace-nowrap">{formatTime(row.original.createdAt)}</span> },
    { header: "Decide by", accessorKey: "approvalDeadline", cell: ({ row }) => <span className="whitespace-nowrap">{formatTime(row.original.approvalDeadline)}</span> },
    { header: "Approvals", id: "approvals", cell: ({ row }) => `${row.original.approvedBy.length} / ${required}` },
    {
      id: "actions",
      header: () => <span className="sr-only">Decision</span>,
      cell: ({ row }) =>
        !canDecide ? null : row.original.blockedReason ? (
          <span className="text-xs text-slate-500">{row.original.blockedReason}</span>
        ) : (
          <div className="flex flex-wrap items-center gap-2">
            {row.original.approveBlockedReason ? (
              <span className="text-xs text-slate-500">{row.original.approveBlockedReason}.</span>
            ) : (
              <ConfirmDialog
                trigger="Approve"
                triggerClassName="btn btn-sm btn-primary"
                title={`Approve ${row.original.botName}'s lease of ${row.original.secretName}?`}
                description={<>Justification: “{row.original.justification || "none"}”</>}
                action={approveAction}
                fields={{ id: row.original.id }}
                reason="optional"
                confirmLabel="Approve"
              />
            )}
            <ConfirmDialog
              trigger="Deny"
              title={`Deny ${row.original.botName}'s lease of ${row.original.secretName}?`}
              action={denyAction}
              fields={{ id: row.original.id }}
              reason="required"
              confirmLabel="Deny"
            />
          </div>
        ),
    },
  ];
}

export function PendingTable({ data, canDecide, required }: { data: PendingRow[]; canDecide: boolean; required: number }) {
  return (
    <DataTable
      columns={columns(canDecide, required)}
      data={data}
      getRowId={(r) => r.id}
      clientSort
      caption="Lease requests awaiting approval"
      empty="Nothing is waiting for approval. Requests appear here when a bot asks for a secret covered by an approval rule (Org policy)."
    />
  );
}
