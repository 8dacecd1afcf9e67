// Records one event. Call it inside the transaction of the action it records: if the
// write fails, the action rolls back (fail closed).
//
// The write is a plain insert into "AuditPending": no place in the chain yet, so no
// org-wide lock and nothing for concurrent actions to queue on. The sealer
// (seal-audit-chain.ts) gives pending events their per-org seq and hash shortly after,
// in commit order. The hot paths put the same CTE after their own write in a single
// statement (appendEventSql's `after`).
import type pg from "pg";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { ActorType, Outcome } from "@/lib/generated/prisma/enums";
import { newId } from "@/lib/ids";
import { toStorableJson, toStorableText } from "@/lib/db/storable-text";
import type { ChainedFields } from "./canonical";

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
}

export interface PreparedEvent {
  fields: ChainedFields;
}

const text = (value: string | null | undefined) => (value == null ? null : toStorableText(value));

/**
 * Everything about the event but its place in the chain, which the sealer decides.
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
  return { fields };
}

// Column, SQL type: the parameters of appendEventSql, in this order.
export const EVENT_COLUMNS = [
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

/**
 * A CTE `rv_event` that records one event whose values are parameters
 * $offset+1 … $offset+EVENT_COLUMNS.length (see appendEventValues). With `after`, the
 * event is recorded only if that CTE yields a row (one: the action's), so an action and its event commit
 * together or not at all. A second event in the same statement needs another CTE `name`.
 */
export function appendEventSql(offset: number, after?: string, name = "rv_event"): string {
  const p = (i: number) => `$${offset + i}`;
  const columns = EVENT_COLUMNS.map(([c]) => `"${c}"`).join(", ");
  const values = EVENT_COLUMNS.map(([, type], i) => `${p(i + 1)}::${type}`).join(", ");
  return `${name} AS (
    INSERT INTO "AuditPending" (${columns})
    SELECT ${values} ${after ? `FROM ${after}` : ""}
 RETURNING "id")`;
}

export function appendEventValues({ fields }: PreparedEvent): unknown[] {
  return EVENT_COLUMNS.map(([column]) => {
    const value = fields[column];
    if (column === "data") return value === null ? null : JSON.stringify(value);
    if (value instanceof Date) return value.toISOString();
    return value;
  });
}

const APPEND_SQL = `WITH ${appendEventSql(0)} SELECT "id" FROM rv_event`;

export async function recordAuditEvent(tx: Prisma.TransactionClient, input: AuditInput): Promise<RecordedEvent> {
  const event = prepareAuditEvent(input);
  await tx.$executeRawUnsafe(APPEND_SQL, ...appendEventValues(event));
  return { id: event.fields.id };
}

/** The same write as its own (autocommitted) statement, for events that record no other write. */
export async function appendAuditEvent(sql: pg.Pool | pg.PoolClient, input: AuditInput): Promise<RecordedEvent> {
  const event = prepareAuditEvent(input);
  await sql.query({ name: "rv_audit_append", text: APPEND_SQL, values: appendEventValues(event) });
  return { id: event.fields.id };
}
