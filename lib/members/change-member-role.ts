import type { Prisma } from "@/lib/generated/prisma/client";
import type { Role } from "@/lib/generated/prisma/enums";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import { assertOwnerRemains } from "./assert-owner-remains";
import { memberSelect } from "./member-select";

export interface ChangeMemberRoleOptions {
  orgId: string;
  id: string;
  role: Role;
  actor: Actor;
  ip?: string | null;
}

/** Takes effect on the member's next request: sessions reread the role every time. */
export async function changeMemberRole(tx: Prisma.TransactionClient, { orgId, id, role, actor, ip }: ChangeMemberRoleOptions) {
  const before = await tx.user.findFirst({ where: { id, orgId }, select: { role: true, email: true } });
  if (!before) throw new ApiError("not_found", "Member not found");
  if (before.role === "owner" && role !== "owner") await assertOwnerRemains(tx, { orgId, exceptUserId: id });
  const member = await tx.user.update({ where: { id }, data: { role }, select: memberSelect });
  await recordAuditEvent(tx, { orgId, type: "member.role_changed", actor, ip, data: { userId: id, email: before.email, from: before.role, to: role } });
  return member;
}
