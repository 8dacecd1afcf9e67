import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export interface ChainedFields {
  id: string;
  orgId: string;
  type: string;
  actorType: string;
  actorId: string | null;
  botId: string | null;
  secretId: string | null;
  secretName: string | null;
  scope: string | null;
  secretVersion: number | null;
  leaseId: string | null;
  justification: string | null;
  outcome: string;
  reason: string | null;
  ip: string | null;
  data: unknown;
  createdAt: Date;
}

/** JSON with object keys sorted, so jsonb's reordering cannot change the hash. */
function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, stable((value as Record<string, unknown>)[k])]),
    );
  }
  return value ?? null;
}

export function canonicalEvent(e: ChainedFields): string {
  return JSON.stringify([
    "rv-audit/v1",
    e.id,
    e.orgId,
    e.type,
    e.actorType,
    e.actorId,
    e.botId,
    e.secretId,
    e.secretName,
    e.scope,
    e.secretVersion,
    e.leaseId,
    e.justification,
    e.outcome,
    e.reason,
    e.ip,
    stable(e.data),
    e.createdAt.toISOString(),
  ]);
}

export function chainHash(prevHash: string, e: ChainedFields): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalEvent(e)).digest("hex");
}
