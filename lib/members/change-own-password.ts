// A member changes their own password: the current one is checked (under the same
// per-account limit as sign-in, so a stolen session cannot guess it), the new one is
// stored as argon2id, and every other session of the member ends.
import type { PrismaClient } from "@/lib/db/prisma";
import { transaction } from "@/lib/db/prisma";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import { accountKey, claimAccountAttempt, clearAccountAttempts, type SignInLimits } from "@/lib/auth/sign-in-throttle";
import { revokeUserSessions } from "@/lib/sessions/revoke-sessions";
import { hashPasswordOrThrow, verifyPasswordOrThrow } from "@/lib/users/hash-password-or-throw";

export interface ChangeOwnPasswordOptions {
  orgId: string;
  userId: string;
  /** The session asking: it stays signed in. */
  sessionId: string;
  current: string;
  password: string;
  limits: SignInLimits;
  ip?: string | null;
}

export async function changeOwnPassword(db: PrismaClient, { orgId, userId, sessionId, current, password, limits, ip = null }: ChangeOwnPasswordOptions) {
  const user = await db.user.findFirst({ where: { id: userId, orgId }, select: { email: true, passwordHash: true } });
  if (!user) throw new ApiError("not_found", "Member not found");
  const actor = { type: "user" as const, id: userId };
  const key = accountKey(user.email);
  const refusal = await claimAccountAttempt(db, key, limits);
  if (refusal) {
    if (refusal.firstInWindow) {
      await transaction(db, (tx) =>
        recordAuditEvent(tx, { orgId, type: "member.sign_in_throttled", actor, outcome: "denied", reason: "too many sign-in attempts for this account", ip, data: { email: user.email, limit: "account", via: "password change" } }),
      );
    }
    throw new ApiError("rate_limited", `Too many attempts: try again in ${refusal.retryAfterSeconds} s.`, {}, { "retry-after": String(refusal.retryAfterSeconds) });
  }
  if (!(await verifyPasswordOrThrow(current, user.passwordHash))) {
    await transaction(db, (tx) =>
      recordAuditEvent(tx, { orgId, type: "member.password_change_failed", actor, outcome: "denied", reason: "wrong current password", ip, data: { email: user.email } }),
    );
    throw new ApiError("validation_failed", "Check the highlighted fields.", { issues: [{ path: ["current"], message: "This is not your current password" }] });
  }
  const newHash = await hashPasswordOrThrow(password);
  await clearAccountAttempts(db, key);
  return transaction(db, async (tx) => {
    // Only if nobody changed it meanwhile: the current password was checked against this hash.
    const { count } = await tx.user.updateMany({ where: { id: userId, orgId, passwordHash: user.passwordHash }, data: { passwordHash: newHash } });
    if (count === 0) throw new ApiError("conflict", "Your password was changed meanwhile; sign in again.");
    const ended = await revokeUserSessions(tx, { userId, exceptId: sessionId });
    await recordAuditEvent(tx, { orgId, type: "member.password_changed", actor, ip, data: { email: user.email, sessionsEnded: ended } });
    return { sessionsEnded: ended };
  });
}
