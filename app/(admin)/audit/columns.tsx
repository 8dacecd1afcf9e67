"use client";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table";
import { StatusBadge } from "@/components/status-badge";
import { actorLabel, AuditEventDetails, mountAndTool, type AuditEventView, type Names } from "@/components/audit-event-details";
import { UtcTime } from "@/components/utc-time";

export type AuditRow = AuditEventView;

function columns(names: Names): ColumnDef<AuditRow>[] {
  return [
    { header: "#", accessorKey: "seq", cell: ({ row }) => <span className="tabular-nums text-slate-500">{row.original.seq}</span> },
    { header: "Time (UTC)", accessorKey: "createdAt", cell: ({ row }) => <UtcTime value={row.original.createdAt} /> },
    {
      header: "Event",
      accessorKey: "type",
      cell: ({ row }) => (
        <div className="space-y-0.5">
          <code className="whitespace-nowrap text-xs" data-event-type={row.original.type}>
            {row.original.type}
          </code>
          {row.original.leaseId ? (
            <Link href={`/audit?leaseId=${row.original.leaseId}`} className="link block text-xs" title={`Every event of lease ${row.original.leaseId}`}>
              lease events
            </Link>
          ) : null}
        </div>
      ),
    },
    { header: "Outcome", accessorKey: "outcome", cell: ({ row }) => <StatusBadge status={row.original.outcome} /> },
    {
      header: "Actor",
      accessorKey: "actorId",
      cell: ({ row }) => {
        const e = row.original;
        const label = actorLabel(e, names);
        return (
          <div className="min-w-[8rem] space-y-0.5">
            {e.actorType === "bot" && e.actorId ? (
              <Link href={`/bots/${e.actorId}`} className="link">
                {label}
              </Link>
            ) : (
              <span>{label}</span>
            )}
            {e.botId && e.botId !== e.actorId ? (
              <Link href={`/bots/${e.botId}`} className="link block text-xs">
                bot {names[e.botId] ?? "(deleted)"}
              </Link>
            ) : null}
            {e.ip ? <span className="block text-xs text-slate-500">from {e.ip}</span> : null}
          </div>
        );
      },
    },
    {
      header: "Secret",
      accessorKey: "secretName",
      cell: ({ row }) =>
        row.original.secretName ? (
          row.original.secretId ? (
            <Link href={`/catalogue/${row.original.secretId}`} className="link font-mono text-xs [overflow-wrap:anywhere]">
              {row.original.secretName}
            </Link>
          ) : (
            <span className="font-mono text-xs [overflow-wrap:anywhere]">{row.original.secretName}</span>
          )
        ) : (
          "—"
        ),
    },
    {
      header: "Justification / reason",
      id: "why",
      cell: ({ row }) => {
        const text = row.original.justification ?? row.original.reason ?? "";
        const { mount, tool } = mountAndTool(row.original.data);
        return (
          <div className="min-w-[13rem] max-w-md space-y-0.5">
            {/* The whole text on hover; the expanded row shows it in full too. */}
            <span className="line-clamp-3 text-slate-700" title={text}>
              {text}
            </span>
            {mount || tool ? (
              <span className="block text-xs text-slate-500">
                {mount ? <>mount {mount}</> : null}
                {mount && tool ? " · " : null}
                {tool ? <>tool {tool}</> : null}
              </span>
            ) : null}
          </div>
        );
      },
    },
  ];
}

export function AuditTable({ data, names }: { data: AuditRow[]; names: Names }) {
  return (
    <DataTable
      columns={columns(names)}
      data={data}
      getRowId={(r) => r.id}
      caption="Audit events, newest first"
      expanded={(e) => <AuditEventDetails event={e} names={names} />}
      empty="No events match these filters. Widen the time range or clear a filter."
    />
  );
}
