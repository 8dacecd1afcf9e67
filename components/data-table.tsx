"use client";
// The one table of the admin app. Features keep only their column definitions
// (columns.tsx); selection and expandable rows are switched on by props.
import { Fragment, useState, type ReactNode } from "react";
import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type ExpandedState,
  type RowSelectionState,
} from "@tanstack/react-table";

export interface DataTableProps<T> {
  columns: ColumnDef<T, never>[] | ColumnDef<T>[];
  data: T[];
  getRowId: (row: T) => string;
  /** Screen-reader name of the table. */
  caption: string;
  /** What to show, and what to do next, when there are no rows. */
  empty: ReactNode;
  selectable?: boolean;
  /** Rendered above the table with the selected rows (e.g. "Revoke selected"). */
  toolbar?: (selected: T[], clear: () => void) => ReactNode;
  /** Detail shown under a row when it is expanded. */
  expanded?: (row: T) => ReactNode;
}

export function DataTable<T>({ columns, data, getRowId, caption, empty, selectable, toolbar, expanded }: DataTableProps<T>) {
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const [expandedState, setExpanded] = useState<ExpandedState>({});
  const allColumns: ColumnDef<T>[] = [
    ...(selectable
      ? [
          {
            id: "_select",
            header: ({ table }) => (
              <input
                type="checkbox"
                aria-label="Select all rows"
                className="size-4"
                checked={table.getIsAllRowsSelected()}
                ref={(el) => {
                  if (el) el.indeterminate = table.getIsSomeRowsSelected();
                }}
                onChange={table.getToggleAllRowsSelectedHandler()}
              />
            ),
            cell: ({ row }) => (
              <input
                type="checkbox"
                aria-label={`Select row ${row.id}`}
                className="size-4"
                checked={row.getIsSelected()}
                disabled={!row.getCanSelect()}
                onChange={row.getToggleSelectedHandler()}
              />
            ),
          } satisfies ColumnDef<T>,
        ]
      : []),
    ...(expanded
      ? [
          {
            id: "_expand",
            header: () => <span className="sr-only">Details</span>,
            cell: ({ row }) => (
              <button
                type="button"
                className="btn btn-sm w-7"
                aria-expanded={row.getIsExpanded()}
                aria-label={row.getIsExpanded() ? "Hide details" : "Show details"}
                onClick={row.getToggleExpandedHandler()}
              >
                {row.getIsExpanded() ? "−" : "+"}
              </button>
            ),
          } satisfies ColumnDef<T>,
        ]
      : []),
    ...(columns as ColumnDef<T>[]),
  ];
  const table = useReactTable({
    data,
    columns: allColumns,
    getRowId,
    state: { rowSelection, expanded: expandedState },
    enableRowSelection: !!selectable,
    onRowSelectionChange: setRowSelection,
    onExpandedChange: setExpanded,
    getRowCanExpand: () => !!expanded,
    getCoreRowModel: getCoreRowModel(),
  });
  const selected = table.getSelectedRowModel().rows.map((r) => r.original);

  if (data.length === 0) {
    return <div className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center text-sm text-slate-600">{empty}</div>;
  }
  return (
    <div className="space-y-2">
      {toolbar ? <div className="flex flex-wrap items-center gap-2">{toolbar(selected, () => setRowSelection({}))}</div> : null}
      <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">{caption}</caption>
          <thead className="bg-slate-50">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => (
                  <th key={header.id} scope="col" className="whitespace-nowrap px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                    {header.isPlaceholder ? null : flexRender(header.column.columnDef.header, header.getContext())}
                  </th>
                ))}
              </tr>
            ))}
          </thead>
          <tbody className="divide-y divide-slate-100">
            {table.getRowModel().rows.map((row) => (
              <Fragment key={row.id}>
                <tr className={row.getIsSelected() ? "bg-indigo-50" : "hover:bg-slate-50"} data-row-id={row.id}>
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className="px-3 py-2 align-top">
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
                {row.getIsExpanded() && expanded ? (
                  <tr className="bg-slate-50">
                    <td colSpan={row.getVisibleCells().length} className="px-3 py-3">
                      {expanded(row.original)}
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
