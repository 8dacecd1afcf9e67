// Streams an org's filtered audit events as CSV or JSON, newest first (or its whole
// chain as JSON lines, oldest first, for offline verification: see the end), reading
// keyset batches so memory stays flat however many millions of events match.
//
// Memory: rows are read with pg (the pool under the Prisma client, sqlPool), not
// through Prisma, whose row objects were most of the garbage, and PostgreSQL renders
// each row's text (quoting, the formula guard, JSON escaping), so the server holds a
// few strings per row instead of an object per row and a string per cell; only `data`
// (jsonb, whose text form PostgreSQL spaces differently from JSON.stringify) is
// formatted here. Chunks stay well below V8's large-object size, so each batch's
// garbage dies young instead of piling up until a full collection.
import type pg from "pg";
import { Prisma } from "@/lib/generated/prisma/client";
import { isTimeOrdered } from "@/lib/validations/audit";
import { likeLiteral, type AuditFilters } from "./list-audit-events";
import { auditEventSelect } from "./present-event";
import { chainCheckpointLine, chainEventLine, GENESIS_HASH, type ChainEvent, type ChainedFields } from "runtime-vault/audit-chain";
import { CHAIN_EXPORT_FORMAT } from "runtime-vault/audit-files";

/** What the export reads through: a pg Pool (sqlPool) or Client. */
export interface SqlReader {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>>;
}

const BATCH = 1000;
/** Characters per yielded chunk: at most 64 KiB as a V8 string, under its large-object size. */
const CHUNK_CHARS = 32 * 1024;

// actorName and botName are today's names (member email, bot name) beside the ids, for
// people reading the file; they are not part of the chained event.
export const CSV_COLUMNS = [
  "seq", "id", "createdAt", "type", "outcome", "actorType", "actorId", "actorName", "botId", "botName", "secretId", "secretName",
  "scope", "secretVersion", "leaseId", "justification", "reason", "ip", "data", "prevHash", "hash",
] as const;

type Column = keyof typeof auditEventSelect;
type CsvColumn = (typeof CSV_COLUMNS)[number];

/** The keys of a JSON export row, in order: the event as the list returns it. */
const JSON_KEYS = Object.keys(auditEventSelect) as Column[];

/** RFC 4180 quoting, plus a leading quote for cells a spreadsheet would run as a formula. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date ? value.toISOString() : typeof value === "object" ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// Each column as text, exactly as String() / toISOString() would print the value Prisma
// returns (createdAt is stored as UTC without a zone). Numbers are JSON numbers in the
// JSON export; every other column is a JSON string.
const TEXT: Record<Exclude<CsvColumn, "data">, string> = {
  seq: `e."seq"::text`,
  id: `e."id"`,
  createdAt: `to_char(e."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  type: `e."type"`,
  outcome: `e."outcome"::text`,
  actorType: `e."actorType"::text`,
  actorId: `e."actorId"`,
  actorName: `COALESCE(au."email", ab."name")`,
  botId: `e."botId"`,
  botName: `b."name"`,
  secretId: `e."secretId"`,
  secretName: `e."secretName"`,
  scope: `e."scope"`,
  secretVersion: `e."secretVersion"::text`,
  leaseId: `e."leaseId"`,
  justification: `e."justification"`,
  reason: `e."reason"`,
  ip: `e."ip"`,
  prevHash: `e."prevHash"`,
  hash: `e."hash"`,
};
const NUMERIC = new Set<CsvColumn>(["seq", "secretVersion"]);

/** csvCell in SQL, for a text column `c` of the inner query. One regex decides the common case. */
function csvSql(c: string): string {
  const formula = `${c} ~ '^[-=+@\\t\\r]'`;
  return `CASE WHEN ${c} IS NULL THEN ''
    WHEN ${c} !~ '^[-=+@\\t\\r]|[",\\r\\n]' THEN ${c}
    WHEN ${c} ~ '[",\\r\\n]' THEN '"' || CASE WHEN ${formula} THEN '''' ELSE '' END || replace(${c}, '"', '""') || '"'
    ELSE '''' || ${c} END`;
}

/** JSON.stringify of the value in SQL (to_json escapes a string exactly as JSON.stringify does). */
function jsonSql(column: CsvColumn, c: string): string {
  return NUMERIC.has(column) ? `coalesce(${c}, 'null')` : `coalesce(to_json(${c})::text, 'null')`;
}

/**
 * One row's text in three parts, the columns before `data`, `data` as jsonb text, the
 * columns after it; the caller joins them with the formatted data in between.
 */
function renderSql(format: "csv" | "json"): { head: string; tail: string } {
  if (format === "csv") {
    const at = CSV_COLUMNS.indexOf("data");
    const cells = (cols: readonly CsvColumn[]) => cols.map((c) => csvSql(`r."${c}"`)).join(` || ',' || `);
    return { head: cells(CSV_COLUMNS.slice(0, at)), tail: cells(CSV_COLUMNS.slice(at + 1)) };
  }
  const at = JSON_KEYS.indexOf("data");
  const members = (cols: readonly Column[], lead: string) =>
    cols.map((c, i) => `'${i === 0 ? lead : ","}"${c}":' || ${jsonSql(c, `r."${c}"`)}`).join(" || ");
  return { head: `${members(JSON_KEYS.slice(0, at), "{")} || ',"data":'`, tail: `${members(JSON_KEYS.slice(at + 1), ",")} || '}'` };
}
const RENDER = { csv: renderSql("csv"), json: renderSql("json") };
const TEXT_COLUMNS = Object.entries(TEXT).map(([name, expr]) => `${expr} AS "${name}"`).join(", ");
// The names beside the ids (TEXT's actorName, botName): primary-key lookups within the org.
const NAME_JOINS = `LEFT JOIN "Bot" b ON b."id" = e."botId" AND b."orgId" = e."orgId"
                LEFT JOIN "User" au ON e."actorType" = 'user' AND au."id" = e."actorId" AND au."orgId" = e."orgId"
                LEFT JOIN "Bot" ab ON e."actorType" = 'bot' AND ab."id" = e."actorId" AND ab."orgId" = e."orgId"`;

/** An ISO instant as PostgreSQL's zone-less UTC timestamp, at the millisecond JavaScript sees. */
const utc = (iso: string) => Prisma.sql`(${new Date(iso).toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/** The list's WHERE clause (auditWhere) in SQL, with the same meaning for every filter. */
export function auditWhereSql({ orgId, type, botId, secretId, leaseId, outcome, actorId, q, from, to }: AuditFilters): Prisma.Sql {
  const terms = [Prisma.sql`e."orgId" = ${orgId}`];
  if (type) terms.push(Prisma.sql`e."type" = ${type}`);
  if (botId) terms.push(Prisma.sql`e."botId" = ${botId}`);
  if (secretId) terms.push(Prisma.sql`e."secretId" = ${secretId}`);
  if (leaseId) terms.push(Prisma.sql`e."leaseId" = ${leaseId}`);
  if (outcome) terms.push(Prisma.sql`e."outcome" = ${outcome}::"Outcome"`);
  if (actorId) terms.push(Prisma.sql`e."actorId" = ${actorId}`);
  // Prisma's `contains` + insensitive: the same ILIKE, so the trigram index serves both.
  if (q) terms.push(Prisma.sql`e."justification" ILIKE ('%' || ${likeLiteral(q)} || '%')`);
  if (from) terms.push(Prisma.sql`e."createdAt" >= ${utc(from)}`);
  if (to) terms.push(Prisma.sql`e."createdAt" < ${utc(to)}`);
  return Prisma.join(terms, " AND ");
}

type Rendered = { seq: string; createdAt: string; head: string; data: string | null; tail: string };

async function* batches(db: SqlReader, format: "csv" | "json", filters: AuditFilters): AsyncGenerator<Rendered[]> {
  const byTime = isTimeOrdered(filters);
  const order = Prisma.raw(byTime ? `e."createdAt" DESC, e."seq" DESC` : `e."seq" DESC`);
  const outerOrder = Prisma.raw(byTime ? `r."createdAtTs" DESC, r."seqNum" DESC` : `r."seqNum" DESC`);
  const render = Prisma.raw(`${RENDER[format].head} AS head, r."data", ${RENDER[format].tail} AS tail`);
  const where = auditWhereSql(filters);
  let last: Rendered | null = null;
  for (;;) {
    const after: Prisma.Sql = !last
      ? Prisma.empty
      : byTime
        ? Prisma.sql`AND (e."createdAt", e."seq") < (${utc(last.createdAt)}, ${last.seq}::bigint)`
        : Prisma.sql`AND e."seq" < ${last.seq}::bigint`;
    const query: Prisma.Sql = Prisma.sql`
      SELECT r."seq", r."createdAt", ${render}
        FROM (SELECT e."seq" AS "seqNum", e."createdAt" AS "createdAtTs", ${Prisma.raw(TEXT_COLUMNS)}, e."data"::text AS "data"
                FROM "AuditEvent" e ${Prisma.raw(NAME_JOINS)}
               WHERE ${where} ${after}
               ORDER BY ${order}
               LIMIT ${Prisma.raw(String(BATCH))}) r
       ORDER BY ${outerOrder}`;
    const { rows }: { rows: Rendered[] } = await db.query<Rendered>({ text: query.text, values: query.values });
    if (rows.length > 0) yield rows;
    if (rows.length < BATCH) return;
    last = rows[rows.length - 1];
  }
}

/** `data` as csvCell / JSON.stringify print the value Prisma would return for it. */
function formatData(data: string | null, format: "csv" | "json"): string {
  const value = data === null ? null : JSON.parse(data);
  return format === "csv" ? csvCell(value) : JSON.stringify(value);
}

/** Text chunks of the export; JSON is one array so the file parses as a whole. */
export async function* exportAuditEvents(db: SqlReader, { format, ...filters }: AuditFilters & { format: "csv" | "json" }): AsyncGenerator<string> {
  let chunk = format === "csv" ? CSV_COLUMNS.join(",") + "\r\n" : "[";
  let first = true;
  for await (const rows of batches(db, format, filters)) {
    for (const r of rows) {
      chunk += format === "csv"
        ? `${r.head},${formatData(r.data, format)},${r.tail}\r\n`
        : `${first ? "\n" : ",\n"}${r.head}${formatData(r.data, format)}${r.tail}`;
      first = false;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = "";
      }
    }
  }
  if (format === "json") chunk += "\n]\n";
  if (chunk) yield chunk;
}

/** Adapts the generator to a web stream that pulls one chunk at a time (backpressure). */
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

// ---------------------------------------------------------------------------------
// The chain export (format=jsonl): every sealed event of the org, oldest first, with
// everything the hash covers and its place in the chain, so it can be verified with no
// database (`runtime-vault audit verify --export FILE`, client/src/sdk/audit-chain.ts). A
// header line says where the chain starts (genesis, or the archive base after an
// archive) and a last line carries the org's signed checkpoint, which the export ends at:
// events sealed while it runs are left for the next export.

const CHAIN_COLUMNS = `e."seq"::text AS "seq", e."id", e."type", e."actorType"::text AS "actorType", e."actorId", e."botId", e."secretId",
  e."secretName", e."scope", e."secretVersion", e."leaseId", e."justification", e."outcome"::text AS "outcome", e."reason", e."ip",
  e."data"::text AS "data", ${TEXT.createdAt} AS "createdAt", to_char(e."sealedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "sealedAt",
  e."prevHash", e."hash", e."signature"`;

/** A row of CHAIN_COLUMNS: the chained fields, with what JSON cannot carry as text. */
type ChainRow = Omit<ChainedFields, "orgId" | "data" | "createdAt"> & {
  seq: string;
  data: string | null;
  createdAt: string;
  sealedAt: string;
  prevHash: string;
  hash: string;
  signature: string | null;
};

export function chainEventFromRow(orgId: string, r: ChainRow): ChainEvent {
  return {
    ...r,
    orgId,
    seq: BigInt(r.seq),
    data: r.data === null ? null : JSON.parse(r.data),
    createdAt: new Date(r.createdAt),
    sealedAt: new Date(r.sealedAt),
  };
}

/** An org's sealed events after seq `after` up to `through`, oldest first, in keyset batches. */
export async function* chainEvents(db: SqlReader, { orgId, after, through, partitions }: { orgId: string; after: bigint; through: bigint; partitions?: string[] }): AsyncGenerator<ChainEvent[]> {
  // The archive reads the month partitions it archives, the export the whole table.
  const from = partitions ? partitions.map((p) => `SELECT * FROM rv_audit."${p.replace(/"/g, '""')}"`).join(" UNION ALL ") : null;
  let last = after;
  for (;;) {
    const { rows } = await db.query<ChainRow>({
      text: `SELECT ${CHAIN_COLUMNS} FROM ${from ? `(${from})` : `"AuditEvent"`} e
              WHERE e."orgId" = $1 AND e."seq" > $2::bigint AND e."seq" <= $3::bigint ORDER BY e."seq" LIMIT ${BATCH}`,
      values: [orgId, String(last), String(through)],
    });
    if (rows.length > 0) yield rows.map((r) => chainEventFromRow(orgId, r));
    if (rows.length < BATCH) return;
    last = BigInt(rows[rows.length - 1].seq);
  }
}

export async function* exportAuditChain(db: SqlReader, { orgId }: { orgId: string }): AsyncGenerator<string> {
  const [{ rows: checkpoints }, { rows: bases }] = await Promise.all([
    db.query<{ seq: string; hash: string; signature: string; signedAt: string }>({
      text: `SELECT "seq"::text AS "seq", "hash", "signature", to_char("signedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "signedAt" FROM "AuditCheckpoint" WHERE "orgId" = $1`,
      values: [orgId],
    }),
    db.query<{ seq: string; hash: string }>({
      text: `SELECT "throughSeq"::text AS "seq", "hash" FROM "AuditArchive" WHERE "orgId" = $1 ORDER BY "throughSeq" DESC LIMIT 1`,
      values: [orgId],
    }),
  ]);
  const checkpoint = checkpoints[0];
  const from = bases[0] ?? { seq: "0", hash: GENESIS_HASH };
  let through = checkpoint ? BigInt(checkpoint.seq) : null;
  if (through === null) {
    // Never checkpointed (migrated, not yet sealed since): whatever is sealed.
    const { rows } = await db.query<{ seq: string | null }>({ text: `SELECT max("seq")::text AS "seq" FROM "AuditEvent" WHERE "orgId" = $1`, values: [orgId] });
    through = BigInt(rows[0]?.seq ?? from.seq);
  }
  let chunk = JSON.stringify({ kind: "header", format: CHAIN_EXPORT_FORMAT, orgId, exportedAt: new Date().toISOString(), from, through: String(through) }) + "\n";
  for await (const events of chainEvents(db, { orgId, after: BigInt(from.seq), through })) {
    for (const e of events) {
      chunk += chainEventLine(e);
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = "";
      }
    }
  }
  if (checkpoint) chunk += chainCheckpointLine({ orgId, seq: BigInt(checkpoint.seq), hash: checkpoint.hash, signature: checkpoint.signature, signedAt: checkpoint.signedAt });
  yield chunk;
}
