import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import { assertOwnerRemains } from "./assert-owner-remains";

export interface RemoveMemberOptions {
  orgId: string;
  id: string;
  actor: Actor;
  ip?: string | null;
}

/** Deletes the user and their API tokens; open sessions fail at their next request. */
export async function removeMember(tx: Prisma.TransactionClient, { orgId, id, actor, ip }: RemoveMemberOptions) {
  const member = await tx.user.findFirst({ where: { id, orgId }, select: { role: true, email: true } });
  if (!member) throw new ApiError("not_found", "Member not found");
  if (member.role === "owner") await assertOwnerRemains(tx, { orgId, exceptUserId: id });
  await tx.user.delete({ where: { id } });
  await recordAuditEvent(tx, { orgId, type: "member.removed", actor, ip, data: { userId: id, email: member.email, role: member.role } });
  return { id };
}
