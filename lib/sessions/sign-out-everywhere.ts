import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { revokeUserSessions } from "./revoke-sessions";

/** Ends every session of the member, the one asking included: all their cookies stop working. */
export async function signOutEverywhere(tx: Prisma.TransactionClient, { orgId, userId, ip = null }: { orgId: string; userId: string; ip?: string | null }) {
  const ended = await revokeUserSessions(tx, { userId });
  await recordAuditEvent(tx, { orgId, type: "member.signed_out_everywhere", actor: { type: "user", id: userId }, ip, data: { sessionsEnded: ended } });
  return { sessionsEnded: ended };
}
