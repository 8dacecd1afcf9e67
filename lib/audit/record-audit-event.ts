// Appends one event to the org's hash chain. Call it inside the transaction of the
// action it records: if the append fails, the action rolls back (fail closed).
//
// The append is one statement: it locks and advances the org's head (hash computed by
// PostgreSQL's sha256 over the predecessor's hash and the event's canonical text, which
// the app builds beforehand) and inserts the event. The head's row lock is the only
// serial section of an org's audited actions, so it is held for as little as possible:
// one statement, never a round trip to the app. The hot paths put the same CTEs after
// their own write in a single statement (appendEventSql's `after`).
import type pg from "pg";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { ActorType, Outcome } from "@/lib/generated/prisma/enums";
import { newId } from "@/lib/ids";
import { toStorableJson, toStorableText } from "@/lib/db/storable-text";
import { canonicalEvent, type ChainedFields } from "./canonical";
import { serialiseOrgAppends } from "./serialise-org-appends";

export interface Actor {
  type: ActorType;
  id: string | null;
}

export const SYSTEM_ACTOR: Actor = { type: "system", id: null };

export interface AuditInput {
  orgId: string;
  type: string;
  actor: Actor;
  outcome?: Outcome;
  botId?: string | null;
  secretId?: string | null;
  secretName?: string | null;
  scope?: string | null;
  secretVersion?: number | null;
  leaseId?: string | null;
  justification?: string | null;
  reason?: string | null;
  ip?: string | null;
  data?: Record<string, unknown> | null;
}

export interface RecordedEvent {
  id: string;
  seq: bigint;
  hash: string;
}

export interface PreparedEvent {
  fields: ChainedFields;
  canonical: string;
}

const text = (value: string | null | undefined) => (value == null ? null : toStorableText(value));

/**
 * Everything about the event but its place in the chain, which the append decides.
 *
 * The hash covers the event exactly as the database will store it, so it can never
 * disagree with the row: text the database would alter (a lone surrogate becomes U+FFFD,
 * NUL is refused) is replaced by U+FFFD here, and data is reduced to the JSON value jsonb
 * gives back. Input validation refuses such text first; this keeps the chain intact
 * whatever reaches an event (a field path, a header, a new caller).
 */
export function prepareAuditEvent(input: AuditInput, createdAt = new Date()): PreparedEvent {
  const fields: ChainedFields = {
    id: newId("evt"),
    orgId: input.orgId,
    type: toStorableText(input.type),
    actorType: input.actor.type,
    actorId: text(input.actor.id),
    botId: text(input.botId),
    secretId: text(input.secretId),
    secretName: text(input.secretName),
    scope: text(input.scope),
    secretVersion: input.secretVersion ?? null,
    leaseId: text(input.leaseId),
    justification: text(input.justification),
    outcome: input.outcome ?? "success",
    reason: text(input.reason),
    ip: text(input.ip),
    data: input.data == null ? null : toStorableJson(input.data),
    // Millisecond precision, as PostgreSQL stores it, so the hash can be recomputed.
    createdAt: new Date(createdAt.getTime()),
  };
  return { fields, canonical: canonicalEvent(fields) };
}

// Column, SQL type: the parameters after the canonical text, in this order.
const EVENT_COLUMNS = [
  ["id", "text"],
  ["orgId", "text"],
  ["type", "text"],
  ["actorType", '"ActorType"'],
  ["actorId", "text"],
  ["botId", "text"],
  ["secretId", "text"],
  ["secretName", "text"],
  ["scope", "text"],
  ["secretVersion", "int"],
  ["leaseId", "text"],
  ["justification", "text"],
  ["outcome", '"Outcome"'],
  ["reason", "text"],
  ["ip", "text"],
  ["data", "jsonb"],
  ["createdAt", "timestamp(3)"],
] as const satisfies readonly (readonly [keyof ChainedFields, string])[];

/** Parameters consumed by appendEventSql: 1 + EVENT_COLUMNS.length of them. */
export const APPEND_PARAM_COUNT = 1 + EVENT_COLUMNS.length;

/**
 * CTEs `rv_head` and `rv_event` that append one event whose values are parameters
 * $offset+1 … $offset+APPEND_PARAM_COUNT (see appendEventValues). With `after`, the
 * append happens only if that CTE yields a row, so an action and its event commit
 * together or not at all.
 */
export function appendEventSql(offset: number, after?: string): string {
  const p = (i: number) => `$${offset + i}`;
  const orgParam = p(1 + EVENT_COLUMNS.findIndex(([c]) => c === "orgId") + 1);
  const columns = EVENT_COLUMNS.map(([c]) => `"${c}"`).join(", ");
  const values = EVENT_COLUMNS.map(([, type], i) => `${p(i + 2)}::${type}`).join(", ");
  return `rv_head AS (
    UPDATE "AuditHead"
       SET "prevHash" = "AuditHead"."hash",
           "hash" = encode(sha256(convert_to("AuditHead"."hash" || E'\\n' || ${p(1)}::text, 'UTF8')), 'hex'),
           "lastSeq" = nextval('"AuditEvent_seq_seq"'),
           "count" = "AuditHead"."count" + 1
      ${after ? `FROM ${after}` : ""}
     WHERE "AuditHead"."orgId" = ${orgParam}::text
 RETURNING "AuditHead"."prevHash", "AuditHead"."hash", "AuditHead"."lastSeq"),
  rv_event AS (
    INSERT INTO "AuditEvent" ("seq", ${columns}, "prevHash", "hash")
    SELECT h."lastSeq", ${values}, h."prevHash", h."hash" FROM rv_head h
 RETURNING "seq", "hash")`;
}

export function appendEventValues({ fields, canonical }: PreparedEvent): unknown[] {
  return [
    canonical,
    ...EVENT_COLUMNS.map(([column]) => {
      const value = fields[column];
      if (column === "data") return value === null ? null : JSON.stringify(value);
      if (value instanceof Date) return value.toISOString();
      return value;
    }),
  ];
}

const APPEND_SQL = `WITH ${appendEventSql(0)} SELECT "seq", "hash" FROM rv_event`;

function recorded(event: PreparedEvent, rows: { seq: bigint | string; hash: string }[]): RecordedEvent {
  // No head, no append: the org's chain is missing, and the action must not go unrecorded.
  if (rows.length === 0) throw new Error("audit chain head missing for organization");
  return { id: event.fields.id, seq: BigInt(rows[0].seq), hash: rows[0].hash };
}

export async function recordAuditEvent(tx: Prisma.TransactionClient, input: AuditInput): Promise<RecordedEvent> {
  const event = prepareAuditEvent(input);
  const rows = await tx.$queryRawUnsafe<{ seq: bigint; hash: string }[]>(APPEND_SQL, ...appendEventValues(event));
  return recorded(event, rows);
}

/** The same append as its own (autocommitted) statement, for events that record no other write. */
export async function appendAuditEvent(sql: pg.Pool | pg.PoolClient, input: AuditInput): Promise<RecordedEvent> {
  const event = prepareAuditEvent(input);
  const { rows } = await serialiseOrgAppends(input.orgId, () =>
    sql.query<{ seq: string; hash: string }>({ name: "rv_audit_append", text: APPEND_SQL, values: appendEventValues(event) }),
  );
  return recorded(event, rows);
}

/** Takes the org's audit lock up front, for actions that must not interleave with any append. */
export async function lockAuditHead(tx: Prisma.TransactionClient, orgId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM "AuditHead" WHERE "orgId" = ${orgId} FOR UPDATE`;
}
