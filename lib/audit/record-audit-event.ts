// Appends one event to the org's hash chain. Call it inside the transaction of the
// action it records: if the append fails, the action rolls back (fail closed).
import type { Prisma } from "@/lib/generated/prisma/client";
import type { ActorType, Outcome } from "@/lib/generated/prisma/enums";
import { newId } from "@/lib/ids";
import { chainHash, type ChainedFields } from "./canonical";
import { getKeyProvider } from "@/lib/crypto/key-provider";
import { signHead } from "./head-signature";

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

export async function recordAuditEvent(tx: Prisma.TransactionClient, input: AuditInput): Promise<RecordedEvent> {
  // Locking the head serialises appends per org, so every event has exactly one predecessor.
  const heads = await tx.$queryRaw<{ hash: string; count: bigint }[]>`
    SELECT "hash", "count" FROM "AuditHead" WHERE "orgId" = ${input.orgId} FOR UPDATE`;
  if (heads.length === 0) throw new Error("audit chain head missing for organization");

  const fields: ChainedFields = {
    id: newId("evt"),
    orgId: input.orgId,
    type: input.type,
    actorType: input.actor.type,
    actorId: input.actor.id,
    botId: input.botId ?? null,
    secretId: input.secretId ?? null,
    secretName: input.secretName ?? null,
    scope: input.scope ?? null,
    secretVersion: input.secretVersion ?? null,
    leaseId: input.leaseId ?? null,
    justification: input.justification ?? null,
    outcome: input.outcome ?? "success",
    reason: input.reason ?? null,
    ip: input.ip ?? null,
    data: input.data ?? null,
    // Millisecond precision, as PostgreSQL stores it, so the hash can be recomputed.
    createdAt: new Date(Date.now()),
  };
  const prevHash = heads[0].hash;
  const hash = chainHash(prevHash, fields);

  const event = await tx.auditEvent.create({
    data: {
      ...fields,
      actorType: input.actor.type,
      outcome: fields.outcome as Outcome,
      data: (fields.data ?? undefined) as Prisma.InputJsonValue | undefined,
      prevHash,
      hash,
    },
    select: { seq: true },
  });
  const head = { orgId: input.orgId, lastSeq: event.seq, hash, count: BigInt(heads[0].count) + 1n };
  await tx.auditHead.update({
    where: { orgId: input.orgId },
    data: { hash, lastSeq: event.seq, count: head.count, signature: signHead(getKeyProvider(), head) },
  });
  return { id: fields.id, seq: event.seq, hash };
}

/** Takes the org's audit lock up front, for actions that must not interleave with any append. */
export async function lockAuditHead(tx: Prisma.TransactionClient, orgId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM "AuditHead" WHERE "orgId" = ${orgId} FOR UPDATE`;
}
