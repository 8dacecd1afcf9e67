"use client";
// The bots a leaked secret touches: who can lease it now (grant, mount limit, frozen),
// who holds it now (active leases), and when each last read it.
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table";
import { StatusBadge } from "@/components/status-badge";
import { formatDuration } from "@/lib/format";
import { UtcTime } from "@/components/utc-time";
import type { BlastRadiusBot } from "@/lib/secrets/get-secret-blast-radius";

type BlastRadiusRow = BlastRadiusBot;

const columns: ColumnDef<BlastRadiusRow>[] = [
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
    header: "Can lease",
    accessorKey: "canLease",
    cell: ({ row }) => (
      <span className="whitespace-nowrap">
        {row.original.canLease ? "yes" : row.original.grant ? "no (frozen)" : "no grant"}
        {row.original.frozen ? (
          <>
            {" "}
            <StatusBadge status="frozen" />
          </>
        ) : null}
      </span>
    ),
  },
  {
    header: "Grant",
    id: "grant",
    cell: ({ row }) => {
      const g = row.original.grant;
      if (!g) return "—";
      return (
        <span className="text-xs">
          max TTL {g.maxTtlSeconds ? formatDuration(g.maxTtlSeconds) : "of the policy"}
          {g.singleUseOnly ? " · single-use only" : ""}
          <span className="block">{g.mount ? `only through mount ${g.mount}` : "any mount or none"}</span>
        </span>
      );
    },
  },
  { header: "Active leases", accessorKey: "activeLeases", cell: ({ row }) => <span className="tabular-nums">{row.original.activeLeases}</span> },
  { header: "Last read (UTC)", accessorKey: "lastResolvedAt", cell: ({ row }) => (row.original.lastResolvedAt ? <UtcTime value={row.original.lastResolvedAt} /> : "never") },
  { header: "Last leased (UTC)", accessorKey: "lastLeasedAt", cell: ({ row }) => (row.original.lastLeasedAt ? <UtcTime value={row.original.lastLeasedAt} /> : "never") },
];

export function BlastRadiusTable({ data }: { data: BlastRadiusRow[] }) {
  return (
    <DataTable
      columns={columns}
      data={data}
      getRowId={(r) => r.botId}
      caption="Bots that can lease or have leased this secret"
      empty="No bot can lease this secret, and none ever did."
    />
  );
}
