import { prisma, transaction } from "@/lib/db/prisma";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { Role } from "@/lib/generated/prisma/enums";
import type { Permission } from "./roles";

export interface DeniedCaller {
  orgId: string;
  userId: string;
  role: Role;
}

/** One event for every refused admin action, whether it came from the API, a page or a form. */
export async function auditDenial(caller: DeniedCaller, permission: Permission, data: Record<string, string>, ip: string | null) {
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
