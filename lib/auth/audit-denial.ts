import { prisma, transaction } from "@/lib/db/prisma";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { Permission } from "./roles";
import type { SessionUser } from "./get-session-user";

/** Same event as the API's refusals (lib/api/handler.ts), so the timeline shows both. */
export async function auditDenial(user: SessionUser, permission: Permission, where: string, ip: string | null) {
  await transaction(prisma, (tx) =>
    recordAuditEvent(tx, {
      orgId: user.orgId,
      type: "admin.denied",
      actor: { type: "user", id: user.id },
      outcome: "denied",
      reason: `role ${user.role} lacks ${permission}`,
      ip,
      data: { via: "web", action: where },
    }),
  );
}
