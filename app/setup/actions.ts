"use server";
import { z, ZodError } from "zod";
import { ApiError } from "@/lib/api/errors";
import { prisma } from "@/lib/db/prisma";
import { requestIp } from "@/lib/auth/request-ip";
import type { FormState } from "@/lib/forms/form-state";
import { echo, text } from "@/lib/forms/read-form";
import { completeSetup } from "@/lib/setup/complete-setup";
import { completeSetupSchema } from "@/lib/validations/setup";

// Public by design: the one-time token from the link `npm start` printed is the credential.
export async function completeSetupAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const values = echo(fd);
  try {
    const input = completeSetupSchema.parse({ token: text(fd, "token"), orgName: text(fd, "orgName"), email: text(fd, "email"), password: text(fd, "password") });
    if (input.password !== text(fd, "confirm")) return { status: 400, fieldErrors: { confirm: ["The two passwords differ"] }, message: "Check the highlighted fields.", values };
    const { email } = await completeSetup(prisma, { ...input, ip: await requestIp() });
    return { ok: true, message: `Created the organization and its owner ${email}. Signing you in…` };
  } catch (err) {
    if (err instanceof ZodError) {
      const fieldErrors = z.flattenError(err).fieldErrors as Record<string, string[]>;
      const message = fieldErrors.token ? "This setup link is incomplete: open the full link `npm start` printed." : "Check the highlighted fields.";
      return { status: 400, message, fieldErrors, values };
    }
    if (err instanceof ApiError) return { status: err.status, message: err.message, values };
    throw err;
  }
}
