"use client";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable, LongText, TimeCell, type PageInfo, type ServerSort } from "@/components/data-table";
import { StatusBadge } from "@/components/status-badge";

export interface BotRow {
  id: string;
  name: string;
  description: string;
  environment: string;
  frozen: boolean;
  createdAt: Date;
  grantCount: number;
  activeLeaseCount: number;
  lastUsedAt?: Date | null;
}

const columns: ColumnDef<BotRow>[] = [
  {
    header: "Name",
    accessorKey: "name",
    meta: { priority: 1 },
    cell: ({ row }) => (
      <Link href={`/bots/${row.original.id}`} className="link">
        {row.original.name}
      </Link>
    ),
  },
  { header: "Status", id: "status", meta: { priority: 1 }, cell: ({ row }) => <StatusBadge status={row.original.frozen ? "frozen" : "active"} /> },
  { header: "Environment", accessorKey: "environment", cell: ({ row }) => <span className="font-mono">{row.original.environment}</span> },
  { header: "Grants", accessorKey: "grantCount", meta: { priority: 3 } },
  { header: "Active leases", accessorKey: "activeLeaseCount", meta: { priority: 2 } },
  { header: "Last used", accessorKey: "lastUsedAt", meta: { priority: 2 }, cell: ({ row }) => (row.original.lastUsedAt ? <TimeCell value={row.original.lastUsedAt} /> : <span className="text-slate-500">never</span>) },
  { header: "Description", accessorKey: "description", meta: { priority: 3 }, cell: ({ row }) => <LongText text={row.original.description} /> },
  { header: "Created", accessorKey: "createdAt", meta: { priority: 3 }, cell: ({ row }) => <TimeCell value={row.original.createdAt} /> },
];

export function BotsTable({ data, searched, paging, sort }: { data: BotRow[]; searched?: boolean; paging?: PageInfo; sort?: ServerSort }) {
  return (
    <DataTable
      columns={columns}
      data={data}
      getRowId={(r) => r.id}
      caption="Bots"
      paging={paging}
      serverSort={sort}
      empty={searched ? "No bot matches this search." : "No bots yet. Create one above, then grant it the secrets it needs."}
    />
  );
}
