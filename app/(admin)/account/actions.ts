"use server";
import { redirect } from "next/navigation";
import { prisma, transaction } from "@/lib/db/prisma";
import { runAction } from "@/lib/forms/run-action";
import type { FormState } from "@/lib/forms/form-state";
import { text } from "@/lib/forms/read-form";
import { signInLimitsFromEnv } from "@/lib/auth/sign-in-throttle";
import { changeOwnPassword } from "@/lib/members/change-own-password";
import { signOutEverywhere } from "@/lib/sessions/sign-out-everywhere";
import { changePasswordSchema } from "@/lib/validations/member";

// Every member may manage their own account ("metadata:read" is every role's).
// No FormData is passed to runAction: nothing typed here is ever echoed back.
export async function changePasswordAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("metadata:read", "change password", async ({ user, ip }) => {
    const input = changePasswordSchema.parse({ current: text(fd, "current") ?? "", password: text(fd, "password") ?? "" });
    if (input.password !== text(fd, "confirm")) return { status: 400, message: "Check the highlighted fields.", fieldErrors: { confirm: ["The two passwords differ"] } };
    const { sessionsEnded } = await changeOwnPassword(prisma, { orgId: user.orgId, userId: user.id, sessionId: user.sessionId, ...input, limits: signInLimitsFromEnv(), ip });
    return { ok: true, message: `Password changed.${sessionsEnded ? ` Signed out ${sessionsEnded} other session${sessionsEnded === 1 ? "" : "s"}.` : ""}` };
  });
}

export async function signOutEverywhereAction(_prev: FormState, _fd: FormData): Promise<FormState> {
  const state = await runAction("metadata:read", "sign out everywhere", async ({ user, ip }) => {
    await transaction(prisma, (tx) => signOutEverywhere(tx, { orgId: user.orgId, userId: user.id, ip }));
    return { ok: true };
  });
  if (state.ok) redirect("/sign-in");
  return state;
}
