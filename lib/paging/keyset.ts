// Keyset ("seek") paging shared by the admin lists. A page is addressed by the sort key
// of a boundary row (value + id as tie-breaker), never by an offset, so rows added while
// someone pages do not shift or repeat what they see. The offset shown ("101–150 of 163")
// is counted, not used to seek.

export type SortDirection = "asc" | "desc";
type KeyValue = string | number | Date;

/** How one sortable column reads, orders and compares in Prisma terms. */
export interface SortKey<Row> {
  orderBy: (dir: SortDirection) => Record<string, unknown>;
  /** A where clause comparing the column with `value` (`equals`, `gt` or `lt`). */
  where: (op: "equals" | "gt" | "lt", value: KeyValue) => Record<string, unknown>;
  value: (row: Row) => KeyValue;
}

/** A column of the listed model itself. */
export function field<Row>(name: keyof Row & string): SortKey<Row> {
  return {
    orderBy: (dir) => ({ [name]: dir }),
    where: (op, value) => ({ [name]: { [op]: value } }),
    value: (row) => row[name] as KeyValue,
  };
}

/**
 * An enum column: Prisma has no gt/lt on enums, so "after" is the set of values declared
 * after it (PostgreSQL orders an enum by its declaration order too).
 */
export function enumField<Row>(name: keyof Row & string, values: readonly string[]): SortKey<Row> {
  return {
    orderBy: (dir) => ({ [name]: dir }),
    where: (op, value) => {
      const i = values.indexOf(value as string);
      return op === "equals" ? { [name]: value } : { [name]: { in: op === "gt" ? values.slice(i + 1) : values.slice(0, Math.max(i, 0)) } };
    },
    value: (row) => row[name] as KeyValue,
  };
}

/** A column of a required to-one relation (a lease's bot name). */
export function related<Row>(relation: string, name: string, value: (row: Row) => KeyValue): SortKey<Row> {
  return {
    orderBy: (dir) => ({ [relation]: { [name]: dir } }),
    where: (op, v) => ({ [relation]: { [name]: { [op]: v } } }),
    value,
  };
}

interface Cursor {
  /** "a": the page after this key; "b": the page before it. */
  d: "a" | "b";
  v: KeyValue;
  /** The value was a Date (JSON would turn it into a string). */
  t?: 1;
  id: string;
}

export function encodeCursor(d: "a" | "b", v: KeyValue, id: string): string {
  const c: Cursor = v instanceof Date ? { d, v: v.toISOString(), t: 1, id } : { d, v, id };
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

/** A malformed cursor (edited URL) reads as "first page", not as an error page. */
export function decodeCursor(cursor: string | undefined): Cursor | null {
  if (!cursor) return null;
  try {
    const c = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Cursor;
    if ((c.d !== "a" && c.d !== "b") || typeof c.id !== "string" || !["string", "number"].includes(typeof c.v)) return null;
    if (c.t) {
      const date = new Date(c.v as string);
      if (Number.isNaN(date.getTime())) return null;
      return { ...c, v: date };
    }
    return c;
  } catch {
    return null;
  }
}

const flip = (dir: SortDirection): SortDirection => (dir === "asc" ? "desc" : "asc");

/** Rows strictly after (value,id) in `dir` order. */
function seek<Row>(key: SortKey<Row>, dir: SortDirection, value: KeyValue, id: string) {
  const op = dir === "asc" ? "gt" : "lt";
  return { OR: [key.where(op, value), { AND: [key.where("equals", value), { id: { [op]: id } }] }] };
}

export interface Page<T> {
  rows: T[];
  /** Rows matching the filters, all pages together. */
  total: number;
  /** Zero-based position of the first row in the whole ordered list. */
  start: number;
  nextCursor: string | null;
  prevCursor: string | null;
}

export interface PageRequest<Row, Where> {
  where: Where;
  key: SortKey<Row>;
  direction: SortDirection;
  cursor?: string;
  limit: number;
  /** Runs the model's findMany with the given where/orderBy/take. */
  find: (args: { where: Where; orderBy: Record<string, unknown>[]; take: number }) => Promise<Row[]>;
  count: (args: { where: Where }) => Promise<number>;
  id: (row: Row) => string;
}

export async function keysetPage<Row, Where>({ where, key, direction, cursor, limit, find, count, id }: PageRequest<Row, Where>): Promise<Page<Row>> {
  const c = decodeCursor(cursor);
  const backwards = c?.d === "b";
  const dir = backwards ? flip(direction) : direction;
  const pageWhere = (c ? { AND: [where, seek(key, dir, c.v, c.id)] } : where) as Where;
  const [found, total] = await Promise.all([find({ where: pageWhere, orderBy: [key.orderBy(dir), { id: dir }], take: limit + 1 }), count({ where })]);
  const rows = found.slice(0, limit);
  if (backwards) rows.reverse();
  const first = rows[0];
  const last = rows.at(-1);
  // Rows before the first one shown: its position in the whole list.
  const start = first ? await count({ where: { AND: [where, seek(key, flip(direction), key.value(first), id(first))] } as Where }) : 0;
  // Counted rather than inferred from `more`, so both directions answer the same way.
  const hasNext = start + rows.length < total;
  const hasPrev = start > 0;
  return {
    rows,
    total,
    start,
    nextCursor: hasNext && last ? encodeCursor("a", key.value(last), id(last)) : null,
    prevCursor: hasPrev && first ? encodeCursor("b", key.value(first), id(first)) : null,
  };
}
