"use client";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table";
import { formatTime } from "@/lib/format";

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
    cell: ({ row }) => (
      <Link href={`/catalogue/${row.original.id}`} className="link font-mono">
        {row.original.name}
      </Link>
    ),
  },
  { header: "Scope", accessorKey: "scope" },
  { header: "Version", accessorKey: "currentVersion", cell: ({ row }) => <span className="tabular-nums">v{row.original.currentVersion}</span> },
  {
    header: "Last rotated",
    accessorKey: "rotatedAt",
    cell: ({ row }) => (
      <span className={row.original.dueForRotation ? "font-medium text-amber-700" : ""}>
        {formatTime(row.original.rotatedAt)}
        {row.original.dueForRotation ? " · due" : ""}
      </span>
    ),
  },
  { header: "Grants", accessorKey: "grantCount" },
  { header: "Active leases", accessorKey: "activeLeaseCount" },
  { header: "Tags", accessorKey: "tags", cell: ({ row }) => <span className="text-xs text-slate-600">{row.original.tags.join(", ") || "—"}</span> },
];

export function SecretsTable({ data, canWrite }: { data: SecretRow[]; canWrite: boolean }) {
  return (
    <DataTable
      columns={columns}
      data={data}
      getRowId={(r) => r.id}
      caption="Secrets in the catalogue"
      empty={canWrite ? "The catalogue is empty. Add the first secret with the form above; then create a bot and grant it." : "The catalogue is empty. An admin or owner can add secrets."}
    />
  );
}
