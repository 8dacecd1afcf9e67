"use server";
import { z, ZodError } from "zod";
import { ApiError } from "@/lib/api/errors";
import { prisma } from "@/lib/db/prisma";
import { requestIp } from "@/lib/auth/request-ip";
import type { FormState } from "@/lib/forms/form-state";
import { text } from "@/lib/forms/read-form";
import { setPasswordWithToken } from "@/lib/members/set-password-with-token";
import { setPasswordSchema } from "@/lib/validations/member";

// Public by design: the one-time token in the link is the credential.
export async function setPasswordAction(_prev: FormState, fd: FormData): Promise<FormState> {
  try {
    const input = setPasswordSchema.parse({ token: text(fd, "token"), password: text(fd, "password") });
    if (input.password !== text(fd, "confirm")) return { status: 400, fieldErrors: { confirm: ["The two passwords differ"] }, message: "Check the highlighted fields." };
    const { email } = await setPasswordWithToken(prisma, { ...input, ip: await requestIp() });
    return { ok: true, message: `Password set for ${email}. You can sign in now.` };
  } catch (err) {
    if (err instanceof ZodError) return { status: 400, message: "Check the highlighted fields.", fieldErrors: z.flattenError(err).fieldErrors as Record<string, string[]> };
    if (err instanceof ApiError) return { status: err.status, message: err.message };
    throw err;
  }
}
