// Invites a member: the account exists at once, but its only way in is a
// set-password link whose token is returned here once (stored as a hash).
import { randomBytes } from "node:crypto";
import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import { hashToken } from "@/lib/crypto/tokens";
import { newId } from "@/lib/ids";
import { hashPasswordOrThrow } from "@/lib/users/hash-password-or-throw";
import type { InviteMemberInput } from "@/lib/validations/member";
import { memberSelect } from "./member-select";

export const INVITE_VALIDITY_MS = 72 * 60 * 60 * 1000;

export interface InviteMemberOptions {
  orgId: string;
  actor: Actor;
  input: InviteMemberInput;
  ip?: string | null;
}

export async function inviteMember(tx: Prisma.TransactionClient, { orgId, actor, input, ip }: InviteMemberOptions) {
  if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
    throw new ApiError("conflict", "A user with this email already exists");
  }
  const setPasswordToken = randomBytes(32).toString("base64url");
  const user = await tx.user.create({
    data: {
      id: newId("usr"),
      orgId,
      email: input.email,
      name: input.name || null,
      role: input.role,
      // A random password nobody knows: until the link is used, sign-in is impossible.
      passwordHash: await hashPasswordOrThrow(randomBytes(32).toString("base64url")),
      setPasswordTokenHash: hashToken(setPasswordToken),
      setPasswordExpiresAt: new Date(Date.now() + INVITE_VALIDITY_MS),
    },
    select: memberSelect,
  });
  await recordAuditEvent(tx, { orgId, type: "member.invited", actor, ip, data: { userId: user.id, email: user.email, role: user.role } });
  return { member: user, setPasswordToken };
}
