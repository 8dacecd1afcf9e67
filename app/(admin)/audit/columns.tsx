"use client";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table";
import { StatusBadge } from "@/components/status-badge";
import { formatTime } from "@/lib/format";

export interface AuditRow {
  seq: number;
  id: string;
  type: string;
  actorType: string;
  actorId: string | null;
  botId: string | null;
  secretId: string | null;
  secretName: string | null;
  scope: string | null;
  secretVersion: number | null;
  leaseId: string | null;
  justification: string | null;
  outcome: string;
  reason: string | null;
  ip: string | null;
  data: unknown;
  createdAt: Date;
  prevHash: string;
  hash: string;
}

function columns(names: Record<string, string>): ColumnDef<AuditRow>[] {
  return [
    { header: "#", accessorKey: "seq", cell: ({ row }) => <span className="tabular-nums text-slate-500">{row.original.seq}</span> },
    { header: "Time", accessorKey: "createdAt", cell: ({ row }) => <span className="whitespace-nowrap">{formatTime(row.original.createdAt)}</span> },
    { header: "Event", accessorKey: "type", cell: ({ row }) => <code className="whitespace-nowrap text-xs" data-event-type={row.original.type}>{row.original.type}</code> },
    { header: "Outcome", accessorKey: "outcome", cell: ({ row }) => <StatusBadge status={row.original.outcome} /> },
    {
      header: "Actor",
      accessorKey: "actorId",
      cell: ({ row }) => {
        const { actorType, actorId } = row.original;
        return <span className="whitespace-nowrap">{actorId ? `${actorType} ${names[actorId] ?? actorId}` : actorType}</span>;
      },
    },
    {
      header: "Secret",
      accessorKey: "secretName",
      cell: ({ row }) =>
        row.original.secretName ? (
          row.original.secretId ? (
            <Link href={`/catalogue/${row.original.secretId}`} className="link font-mono text-xs">
              {row.original.secretName}
            </Link>
          ) : (
            <span className="font-mono text-xs">{row.original.secretName}</span>
          )
        ) : (
          "—"
        ),
    },
    {
      header: "Justification / reason",
      id: "why",
      cell: ({ row }) => <span className="line-clamp-2 max-w-sm text-slate-700">{row.original.justification ?? row.original.reason ?? ""}</span>,
    },
  ];
}

function EventDetail({ event }: { event: AuditRow }) {
  return (
    <pre className="max-h-96 overflow-auto whitespace-pre-wrap break-all rounded bg-white p-3 font-mono text-xs" data-testid="audit-detail">
      {JSON.stringify(event, null, 2)}
    </pre>
  );
}

export function AuditTable({ data, names }: { data: AuditRow[]; names: Record<string, string> }) {
  return (
    <DataTable
      columns={columns(names)}
      data={data}
      getRowId={(r) => r.id}
      caption="Audit events, newest first"
      expanded={(e) => <EventDetail event={e} />}
      empty="No events match these filters. Widen the time range or clear a filter."
    />
  );
}
