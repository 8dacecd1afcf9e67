"use client";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table";
import { StatusBadge } from "@/components/status-badge";
import { formatTime } from "@/lib/format";

export interface BotRow {
  id: string;
  name: string;
  description: string;
  environment: string;
  frozen: boolean;
  createdAt: Date;
  grantCount: number;
  activeLeaseCount: number;
}

const columns: ColumnDef<BotRow>[] = [
  {
    header: "Name",
    accessorKey: "name",
    cell: ({ row }) => (
      <Link href={`/bots/${row.original.id}`} className="link">
        {row.original.name}
      </Link>
    ),
  },
  { header: "Status", id: "status", cell: ({ row }) => <StatusBadge status={row.original.frozen ? "frozen" : "active"} /> },
  { header: "Environment", accessorKey: "environment", cell: ({ row }) => <span className="font-mono">{row.original.environment}</span> },
  { header: "Grants", accessorKey: "grantCount" },
  { header: "Active leases", accessorKey: "activeLeaseCount" },
  { header: "Description", accessorKey: "description", cell: ({ row }) => <span className="text-slate-600">{row.original.description || "—"}</span> },
  { header: "Created", accessorKey: "createdAt", cell: ({ row }) => <span className="whitespace-nowrap">{formatTime(row.original.createdAt)}</span> },
];

export function BotsTable({ data }: { data: BotRow[] }) {
  return <DataTable columns={columns} data={data} getRowId={(r) => r.id} caption="Bots" empty="No bots yet. Create one above, then grant it the secrets it needs." />;
}
