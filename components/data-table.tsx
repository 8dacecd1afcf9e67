"use client";
// The one table of the admin app. Features keep only their column definitions
// (columns.tsx); selection, expandable rows, sorting and paging are switched on by props.
//
// Columns may declare `meta: { priority, label }` (see ColumnMeta below): at narrow widths
// the table turns into one card per row (CSS in globals.css, `.rv-table`), each cell
// labelled, and priority-3 columns are left out of the cards.
import { Fragment, useState, type ReactNode } from "react";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import {
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type ExpandedState,
  type RowData,
  type RowSelectionState,
  type SortingState,
} from "@tanstack/react-table";

declare module "@tanstack/react-table" {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TData extends RowData, TValue> {
    /** 1: always shown; 2: shown in the narrow card layout too (default); 3: wide layout only. */
    priority?: 1 | 2 | 3;
    /** The cell's label in the card layout when the header is not a plain string. */
    label?: string;
    /** The server-side sort key of this column (defaults to its id / accessorKey). */
    sortKey?: string;
    /** A fixed-width or wrapping cell class (e.g. "w-24"). */
    className?: string;
  }
}

export interface PageInfo {
  /** Zero-based position of the first row shown. */
  start: number;
  total: number;
  nextCursor: string | null;
  prevCursor: string | null;
}

export interface ServerSort {
  /** The current sort key and direction (from the URL). */
  by: string;
  direction: "asc" | "desc";
  /** Column sort keys the server accepts. */
  keys: readonly string[];
}

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
  /** Sorting done by the server through `sort`/`direction` in the URL (paged lists). */
  serverSort?: ServerSort;
  /** Sorting in the browser, for lists that are shown whole. */
  clientSort?: boolean;
  /** Keyset paging: controls with "101–150 of 163" above and below the table. */
  paging?: PageInfo;
}

function sortKeyOf<T>(col: ColumnDef<T>): string | undefined {
  const c = col as ColumnDef<T> & { accessorKey?: string };
  return col.meta?.sortKey ?? c.accessorKey ?? col.id;
}

function labelOf<T>(col: ColumnDef<T>): string {
  return col.meta?.label ?? (typeof col.header === "string" ? col.header : "");
}

/** The current URL with some parameters replaced (null removes one). */
function useHref() {
  const pathname = usePathname();
  const params = useSearchParams();
  return (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params?.toString());
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    const qs = next.toString();
    return qs ? `${pathname}?${qs}` : pathname;
  };
}

export function Pager({ paging, shown, label }: { paging: PageInfo; shown: number; label: string }) {
  const href = useHref();
  const from = paging.total === 0 ? 0 : paging.start + 1;
  const to = paging.start + shown;
  return (
    <nav aria-label={label} className="flex flex-wrap items-center justify-between gap-2 text-sm">
      <p className="tabular-nums text-slate-600" data-testid="page-count">
        {from}–{to} of {paging.total}
      </p>
      <div className="flex gap-2">
        {paging.prevCursor ? (
          <Link className="btn btn-sm" href={href({ cursor: paging.prevCursor })} rel="prev">
            ← Previous
          </Link>
        ) : (
          <span className="btn btn-sm pointer-events-none opacity-50" aria-disabled="true">
            ← Previous
          </span>
        )}
        {paging.nextCursor ? (
          <Link className="btn btn-sm" href={href({ cursor: paging.nextCursor })} rel="next">
            Next →
          </Link>
        ) : (
          <span className="btn btn-sm pointer-events-none opacity-50" aria-disabled="true">
            Next →
          </span>
        )}
      </div>
    </nav>
  );
}

export function DataTable<T>({ columns, data, getRowId, caption, empty, selectable, toolbar, expanded, serverSort, clientSort, paging }: DataTableProps<T>) {
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const [expandedState, setExpanded] = useState<ExpandedState>({});
  const [sorting, setSorting] = useState<SortingState>([]);
  const href = useHref();
  const allColumns: ColumnDef<T>[] = [
    ...(selectable
      ? [
          {
            id: "_select",
            enableSorting: false,
            meta: { priority: 1, label: "Select", className: "w-8" },
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
            enableSorting: false,
            meta: { priority: 1, label: "Details", className: "w-8" },
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
    state: { rowSelection, expanded: expandedState, sorting },
    enableRowSelection: !!selectable,
    enableSorting: !!clientSort,
    onRowSelectionChange: setRowSelection,
    onExpandedChange: setExpanded,
    onSortingChange: setSorting,
    getRowCanExpand: () => !!expanded,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: clientSort ? getSortedRowModel() : undefined,
  });
  const selected = table.getSelectedRowModel().rows.map((r) => r.original);

  if (data.length === 0 && !(paging && paging.total > 0)) {
    return <div className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center text-sm text-slate-600">{empty}</div>;
  }
  return (
    <div className="space-y-2">
      {toolbar ? <div className="flex flex-wrap items-center gap-2">{toolbar(selected, () => setRowSelection({}))}</div> : null}
      {paging ? <Pager paging={paging} shown={data.length} label={`${caption}: pages (top)`} /> : null}
      <div className="rv-table-wrap relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        <table className="rv-table w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">{caption}</caption>
          <thead className="bg-slate-50">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const def = header.column.columnDef;
                  const content = header.isPlaceholder ? null : flexRender(def.header, header.getContext());
                  const key = sortKeyOf(def);
                  const serverSortable = serverSort && key && serverSort.keys.includes(key) && !header.id.startsWith("_");
                  const active = serverSortable && serverSort.by === key;
                  const clientState = clientSort && header.column.getCanSort() ? header.column.getIsSorted() : false;
                  const ariaSort = active ? (serverSort.direction === "asc" ? "ascending" : "descending") : clientState ? (clientState === "asc" ? "ascending" : "descending") : undefined;
                  return (
                    <th key={header.id} scope="col" aria-sort={ariaSort} className={`px-2 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 ${def.meta?.className ?? ""}`}>
                      {serverSortable ? (
                        <Link
                          href={href({ sort: key, direction: active && serverSort.direction === "asc" ? "desc" : "asc", cursor: null })}
                          className="inline-flex items-center gap-1 hover:text-slate-900"
                        >
                          {content}
                          <SortArrow state={active ? serverSort.direction : false} />
                        </Link>
                      ) : clientSort && header.column.getCanSort() && !header.id.startsWith("_") ? (
                        <button type="button" onClick={header.column.getToggleSortingHandler()} className="inline-flex items-center gap-1 uppercase hover:text-slate-900">
                          {content}
                          <SortArrow state={clientState} />
                        </button>
                      ) : (
                        content
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody className="divide-y divide-slate-100">
            {table.getRowModel().rows.map((row) => (
              <Fragment key={row.id}>
                <tr className={row.getIsSelected() ? "bg-indigo-50" : "hover:bg-slate-50"} data-row-id={row.id}>
                  {row.getVisibleCells().map((cell) => {
                    const meta = cell.column.columnDef.meta;
                    return (
                      <td key={cell.id} data-label={labelOf(cell.column.columnDef)} data-priority={meta?.priority ?? 2} className={`px-2 py-2 align-top [overflow-wrap:anywhere] ${meta?.className ?? ""}`}>
                        {flexRender(cell.column.columnDef.cell, cell.getContext())}
                      </td>
                    );
                  })}
                </tr>
                {row.getIsExpanded() && expanded ? (
                  <tr className="bg-slate-50" data-detail-row="">
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
      {paging ? <Pager paging={paging} shown={data.length} label={`${caption}: pages (bottom)`} /> : null}
    </div>
  );
}

function SortArrow({ state }: { state: "asc" | "desc" | false }) {
  return (
    <span aria-hidden="true" className={state ? "text-slate-900" : "text-slate-300"}>
      {state === "asc" ? "▲" : state === "desc" ? "▼" : "↕"}
    </span>
  );
}

/**
 * Long text (a justification) clamped to two lines; the whole text is in the tooltip and
 * a click (or Enter) expands it in place.
 */
export function LongText({ text, className = "" }: { text: string | null | undefined; className?: string }) {
  const [open, setOpen] = useState(false);
  if (!text) return <span className="text-slate-400">—</span>;
  return (
    <button
      type="button"
      title={text}
      aria-expanded={open}
      onClick={() => setOpen(!open)}
      // max-w caps the column's width: a long text wraps instead of squeezing its neighbours.
      className={`max-w-xs cursor-pointer text-left text-slate-700 hover:text-slate-900 ${open ? "block whitespace-pre-wrap" : "line-clamp-2"} ${className}`}
    >
      {text}
    </button>
  );
}

/** A time as date over time (two short lines instead of one long one), in the app's UTC format. */
export function TimeCell({ value }: { value: Date | string | null | undefined }) {
  if (!value) return <span className="text-slate-400">—</span>;
  const iso = (typeof value === "string" ? new Date(value) : value).toISOString();
  return (
    <time dateTime={iso} className="block whitespace-nowrap tabular-nums leading-tight">
      {iso.slice(0, 10)}
      <span className="block text-xs text-slate-500">{iso.slice(11, 19)} UTC</span>
    </time>
  );
}
