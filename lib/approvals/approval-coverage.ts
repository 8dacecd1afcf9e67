// Taking a secret out of the approval rules' reach is as strong as changing the rules,
// which only owners may: otherwise an admin could drop a gated secret's tag (or delete
// it and recreate it under the same name, outside an id rule) and lease it unapproved.
// The domain functions check it themselves, reading the actor's role in their own
// transaction, so every caller (API, form, CLI, script) gets the same answer.
import type { PrismaClient, Prisma } from "@/lib/generated/prisma/client";
import { sqlPool } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { appendAuditEvent, type Actor, type AuditInput } from "@/lib/audit/record-audit-event";
import { can } from "@/lib/auth/roles";

/** Refused for lack of the owner role; carries the denial event to record once the transaction has rolled back. */
export class CoverageRemovalRefused extends ApiError {
  constructor(
    message: string,
    readonly denial: AuditInput,
  ) {
    super("forbidden", message);
  }
}

export interface CoverageRemoval {
  orgId: string;
  actor: Actor;
  ip?: string | null;
  /** Completes "Only an owner may …". */
  what: string;
  /** Names the secret and the change in the denial event. */
  event?: Pick<AuditInput, "secretId" | "secretName" | "scope"> & { data?: Record<string, unknown> };
}

export async function assertMayRemoveApprovalCoverage(tx: Prisma.TransactionClient, { orgId, actor, ip = null, what, event }: CoverageRemoval) {
  // The system actor is the operator's own scripts, run with database access and the master key.
  if (actor.type === "system") return;
  const user = actor.type === "user" && actor.id ? await tx.user.findFirst({ where: { id: actor.id, orgId }, select: { role: true } }) : null;
  if (user && can(user.role, "approvals:remove-coverage")) return;
  throw new CoverageRemovalRefused(`Only an owner may ${what}`, {
    orgId,
    type: "admin.denied",
    actor,
    outcome: "denied",
    reason: `role ${user?.role ?? "none"} lacks approvals:remove-coverage`,
    ip,
    secretId: event?.secretId ?? null,
    secretName: event?.secretName ?? null,
    scope: event?.scope ?? null,
    data: { action: what, ...event?.data },
  });
}

/** Runs `fn` (which opens its own transaction); a coverage refusal is audited after its rollback, then rethrown. */
export async function auditingCoverageRefusals<T>(db: PrismaClient, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CoverageRemovalRefused) await appendAuditEvent(sqlPool(db), err.denial);
    throw err;
  }
}
