import { createHash } from "node:crypto";
import { prisma, transaction } from "@/lib/db/prisma";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { bumpBuckets } from "@/lib/abuse/consume-rate-limit";
import type { Role } from "@/lib/generated/prisma/enums";
import type { Permission } from "./roles";

export interface DeniedCaller {
  orgId: string;
  userId: string;
  role: Role;
}

// Refusals a member could otherwise write as fast as they can send requests.
const DISTINCT_DENIALS_PER_WINDOW = 20;

/**
 * One event for every refused admin action, whether it came from the API, a page or a
 * form — but only the first of each kind (same user, permission and action) per
 * rate-limit window, and at most DISTINCT_DENIALS_PER_WINDOW per user: a refused
 * member who keeps trying cannot flood the audit trail.
 */
export async function auditDenial(caller: DeniedCaller, permission: Permission, data: Record<string, string>, ip: string | null) {
  const kind = createHash("sha256").update(`${permission}\n${JSON.stringify(data)}`).digest("base64url").slice(0, 22);
  const { states } = await bumpBuckets(prisma, [
    { key: `denied:${caller.userId}:${kind}`, limit: 1 },
    { key: `denied:${caller.userId}`, limit: DISTINCT_DENIALS_PER_WINDOW },
  ]);
  if (states.some((s) => s.count > s.limit)) return;
  await transaction(prisma, (tx) =>
    recordAuditEvent(tx, {
      orgId: caller.orgId,
      type: "admin.denied",
      actor: { type: "user", id: caller.userId },
      outcome: "denied",
      reason: `role ${caller.role} lacks ${permission}`,
      ip,
      data,
    }),
  );
}
