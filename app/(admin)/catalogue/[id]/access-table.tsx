"use client";
// The Access tab's table: one row per lease event of the secret, answering who (bot name,
// acting member's email), when (UTC), why (justification in full), via which mount/tool
// and from which address.
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table";
import { StatusBadge } from "@/components/status-badge";
import { UtcTime } from "@/components/utc-time";
import type { SecretAccessRow } from "@/lib/audit/list-secret-access";

type AccessRow = SecretAccessRow;

const columns: ColumnDef<AccessRow>[] = [
  { header: "Time (UTC)", accessorKey: "createdAt", cell: ({ row }) => <UtcTime value={row.original.createdAt} /> },
  {
    header: "What",
    accessorKey: "type",
    cell: ({ row }) => (
      <div className="space-y-0.5">
        <code className="whitespace-nowrap text-xs" data-access-type={row.original.type}>
          {row.original.type}
        </code>
        {row.original.outcome !== "success" ? <StatusBadge status={row.original.outcome} /> : null}
        {row.original.secretVersion !== null ? <span className="block text-xs text-slate-500">v{row.original.secretVersion}</span> : null}
      </div>
    ),
  },
  {
    header: "Who",
    id: "who",
    cell: ({ row }) => {
      const r = row.original;
      return (
        <div className="min-w-[8rem] space-y-0.5">
          {r.botId ? (
            <Link href={`/bots/${r.botId}`} className="link">
              {r.botName ?? "(deleted bot)"}
            </Link>
          ) : null}
          {r.actor !== r.botName ? <span className="block text-xs text-slate-600">by {r.actor}</span> : null}
        </div>
      );
    },
  },
  {
    header: "Why",
    id: "why",
    cell: ({ row }) => (
      <div className="min-w-[16rem] max-w-xl whitespace-pre-wrap break-words text-slate-800">
        {row.original.justification || "—"}
        {row.original.reason && row.original.outcome !== "success" ? <span className="block text-xs text-red-700">{row.original.reason}</span> : null}
        {row.original.type === "lease.revoked" && row.original.reason ? <span className="block text-xs text-slate-600">revoked: {row.original.reason}</span> : null}
      </div>
    ),
  },
  {
    header: "Via",
    id: "via",
    cell: ({ row }) =>
      row.original.mount || row.original.tool ? (
        <span className="text-xs">
          {row.original.mount ? <span className="block">mount {row.original.mount}</span> : null}
          {row.original.tool ? <span className="block">tool {row.original.tool}</span> : null}
        </span>
      ) : (
        <span className="text-xs text-slate-500">direct</span>
      ),
  },
  { header: "From", accessorKey: "ip", cell: ({ row }) => <span className="whitespace-nowrap font-mono text-xs">{row.original.ip ?? "—"}</span> },
  {
    header: "Lease",
    accessorKey: "leaseId",
    cell: ({ row }) =>
      row.original.leaseId ? (
        <Link href={`/audit?leaseId=${row.original.leaseId}`} className="link whitespace-nowrap text-xs" title={row.original.leaseId}>
          all its events
        </Link>
      ) : (
        "—"
      ),
  },
];

export function AccessTable({ data }: { data: AccessRow[] }) {
  return (
    <DataTable
      columns={columns}
      data={data}
      getRowId={(r) => r.id}
      caption="Who leased and read this secret, newest first"
      empty="Nobody leased or read this secret in this period. Choose a longer period above."
    />
  );
}
