import type { PrismaClient } from "@/lib/generated/prisma/client";
import { transaction } from "@/lib/db/prisma";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import { hashToken } from "@/lib/crypto/tokens";
import { revokeUserSessions } from "@/lib/sessions/revoke-sessions";
import { hashPasswordOrThrow } from "@/lib/users/hash-password-or-throw";

/** Redeems a set-password link: the token works once and only until it expires. */
export async function setPasswordWithToken(db: PrismaClient, { token, password, ip = null }: { token: string; password: string; ip?: string | null }) {
  const passwordHash = await hashPasswordOrThrow(password);
  return transaction(db, async (tx) => {
    const [user] = await tx.$queryRaw<{ id: string; orgId: string; email: string }[]>`
      UPDATE "User" SET "passwordHash" = ${passwordHash}, "setPasswordTokenHash" = NULL, "setPasswordExpiresAt" = NULL
       WHERE "setPasswordTokenHash" = ${hashToken(token)} AND "setPasswordExpiresAt" > ${new Date()}
   RETURNING "id", "orgId", "email"`;
    if (!user) throw new ApiError("not_found", "This link is invalid or has expired; ask an owner for a new invitation");
    // A new password ends whatever sessions the account had.
    await revokeUserSessions(tx, { userId: user.id });
    await recordAuditEvent(tx, { orgId: user.orgId, type: "member.password_set", actor: { type: "user", id: user.id }, ip, data: { email: user.email } });
    return { email: user.email };
  });
}
