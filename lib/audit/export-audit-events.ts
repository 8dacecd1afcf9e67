// Streams an org's filtered audit events as CSV or JSON, newest first, reading
// keyset batches so memory stays flat however many millions of events match.
import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { auditWhere, type AuditFilters } from "./list-audit-events";
import { auditEventSelect } from "./present-event";

const BATCH = 1000;

export const CSV_COLUMNS = [
  "seq", "id", "createdAt", "type", "outcome", "actorType", "actorId", "botId", "secretId", "secretName",
  "scope", "secretVersion", "leaseId", "justification", "reason", "ip", "data", "prevHash", "hash",
] as const;

type Row = Prisma.AuditEventGetPayload<{ select: typeof auditEventSelect }>;

/** RFC 4180 quoting, plus a leading quote for cells a spreadsheet would run as a formula. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date ? value.toISOString() : typeof value === "object" ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function plain(row: Row) {
  return { ...row, seq: Number(row.seq), createdAt: row.createdAt.toISOString() };
}

async function* batches(db: Db, filters: AuditFilters): AsyncGenerator<Row[]> {
  let cursor: bigint | null = null;
  for (;;) {
    const rows: Row[] = await db.auditEvent.findMany({
      where: { ...auditWhere(filters), ...(cursor !== null ? { seq: { lt: cursor } } : {}) },
      select: auditEventSelect,
      orderBy: { seq: "desc" },
      take: BATCH,
    });
    if (rows.length > 0) yield rows;
    if (rows.length < BATCH) return;
    cursor = rows[rows.length - 1].seq;
  }
}

/** Text chunks of the export; JSON is one array so the file parses as a whole. */
export async function* exportAuditEvents(db: Db, { format, ...filters }: AuditFilters & { format: "csv" | "json" }): AsyncGenerator<string> {
  if (format === "csv") {
    yield CSV_COLUMNS.join(",") + "\r\n";
    for await (const rows of batches(db, filters)) {
      yield rows.map((r) => CSV_COLUMNS.map((c) => csvCell(c === "seq" ? Number(r.seq) : r[c])).join(",") + "\r\n").join("");
    }
    return;
  }
  yield "[";
  let first = true;
  for await (const rows of batches(db, filters)) {
    yield rows.map((r) => {
      const text = (first ? "\n" : ",\n") + JSON.stringify(plain(r));
      first = false;
      return text;
    }).join("");
  }
  yield "\n]\n";
}

/** Adapts the generator to a web stream that pulls one batch at a time (backpressure). */
export function toReadableStream(chunks: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    async pull(controller) {
      const { value, done } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
