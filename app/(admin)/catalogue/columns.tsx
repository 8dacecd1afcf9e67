"use client";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable, TimeCell, type PageInfo, type ServerSort } from "@/components/data-table";

export interface SecretRow {
  id: string;
  name: string;
  scope: string;
  tags: string[];
  currentVersion: number;
  rotatedAt: Date;
  grantCount: number;
  activeLeaseCount: number;
  dueForRotation: boolean;
}

const columns: ColumnDef<SecretRow>[] = [
  {
    header: "Name",
    accessorKey: "name",
    meta: { priority: 1 },
    cell: ({ row }) => (
      <Link href={`/catalogue/${row.original.id}`} className="link font-mono">
        {row.original.name}
      </Link>
    ),
  },
  { header: "Scope", accessorKey: "scope", meta: { priority: 1 } },
  { header: "Version", accessorKey: "currentVersion", cell: ({ row }) => <span className="tabular-nums">v{row.original.currentVersion}</span> },
  {
    header: "Last rotated",
    accessorKey: "rotatedAt",
    cell: ({ row }) => (
      <span className={row.original.dueForRotation ? "font-medium text-amber-700" : ""}>
        <TimeCell value={row.original.rotatedAt} />
        {row.original.dueForRotation ? <span className="block text-xs">due for rotation</span> : null}
      </span>
    ),
  },
  { header: "Grants", accessorKey: "grantCount", meta: { priority: 3 } },
  { header: "Active leases", accessorKey: "activeLeaseCount", meta: { priority: 2 } },
  { header: "Tags", accessorKey: "tags", meta: { priority: 3 }, cell: ({ row }) => <span className="text-xs text-slate-600">{row.original.tags.join(", ") || "—"}</span> },
];

export function SecretsTable({ data, canWrite, searched, paging, sort }: { data: SecretRow[]; canWrite: boolean; searched?: boolean; paging?: PageInfo; sort?: ServerSort }) {
  return (
    <DataTable
      columns={columns}
      data={data}
      getRowId={(r) => r.id}
      caption="Secrets in the catalogue"
      paging={paging}
      serverSort={sort}
      empty={searched ? "No secret matches this search." : canWrite ? "The catalogue is empty. Add the first secret with the form above; then create a bot and grant it." : "The catalogue is empty. An admin or owner can add secrets."}
    />
  );
}
