// The password half of sign-in (next-auth's credentials `authorize`): limits first,
// then one password check for members and unknown emails alike, then the audit event.
import type { PrismaClient } from "@/lib/db/prisma";
import { transaction } from "@/lib/db/prisma";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { dummyPasswordHash, hashPassword, needsRehash, PasswordBusyError, verifyPassword } from "@/lib/users/password";
import { accountKey, claimAccountAttempt, clearAccountAttempts, countAddressAttempt, type Refusal, type SignInLimits } from "./sign-in-throttle";

/** next-auth shows a thrown error's message to the sign-in form as `error`: these codes only. */
export class SignInRefusedError extends Error {
  constructor(code: "TooManyAttempts" | "Busy") {
    super(code);
    this.name = "SignInRefusedError";
  }
}

interface Member {
  id: string;
  orgId: string;
  email: string;
}

export async function auditSignIn(db: PrismaClient, user: Member, outcome: "success" | "denied", ip: string | null, method: string) {
  await transaction(db, (tx) =>
    recordAuditEvent(tx, {
      orgId: user.orgId,
      type: outcome === "success" ? "member.signed_in" : "member.sign_in_failed",
      actor: { type: "user", id: user.id },
      outcome,
      reason: outcome === "denied" ? "wrong password" : null,
      ip,
      data: { email: user.email, method },
    }),
  );
}

/** Once per window (address) or per block (account), so a flood cannot fill the trail. */
async function auditRefusal(db: PrismaClient, user: Member, refusal: Refusal, ip: string | null) {
  await transaction(db, (tx) =>
    recordAuditEvent(tx, {
      orgId: user.orgId,
      type: "member.sign_in_throttled",
      actor: { type: "user", id: user.id },
      outcome: "denied",
      reason: refusal.limit === "ip" ? "too many sign-in attempts from this address" : "too many sign-in attempts for this account",
      ip,
      data: { email: user.email, limit: refusal.limit, retryAfterSeconds: refusal.retryAfterSeconds },
    }),
  );
}

export interface SignInWithPasswordOptions {
  email: string;
  password: string;
  ip: string | null;
  limits: SignInLimits;
}

/** The member for a right password, null for a wrong one or an unknown email; throws SignInRefusedError past a limit. */
export async function signInWithPassword(db: PrismaClient, { email, password, ip, limits }: SignInWithPasswordOptions) {
  const member = await db.user.findUnique({ where: { email }, select: { id: true, orgId: true, email: true, name: true, passwordHash: true } });
  const key = accountKey(email);
  const refusal = (await countAddressAttempt(db, ip, limits)) ?? (await claimAccountAttempt(db, key, limits));
  if (refusal) {
    if (member && refusal.firstInWindow) await auditRefusal(db, member, refusal, ip);
    throw new SignInRefusedError("TooManyAttempts");
  }
  let ok: boolean;
  try {
    // Unknown emails check against a dummy hash of the same kind: the same work, the same time.
    ok = await verifyPassword(password, member?.passwordHash ?? (await dummyPasswordHash()));
  } catch (err) {
    if (err instanceof PasswordBusyError) throw new SignInRefusedError("Busy");
    throw err;
  }
  if (!member) return null;
  if (!ok) {
    await auditSignIn(db, member, "denied", ip, "password");
    return null;
  }
  await clearAccountAttempts(db, key);
  if (needsRehash(member.passwordHash)) {
    // Upgrade a bcrypt hash now that the password is known; only if nobody changed it meanwhile.
    try {
      await db.user.updateMany({ where: { id: member.id, passwordHash: member.passwordHash }, data: { passwordHash: await hashPassword(password) } });
    } catch (err) {
      // Too busy to hash now: the next sign-in upgrades it.
      if (!(err instanceof PasswordBusyError)) throw err;
    }
  }
  await auditSignIn(db, member, "success", ip, "password");
  return { id: member.id, email: member.email, name: member.name };
}
