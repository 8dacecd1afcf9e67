// Wraps every server action: session and role through the one cached helper,
// refusals audited (as the API does), zod issues mapped to field errors, and
// domain errors shown by message. Internal errors never reach the browser.
import { revalidatePath } from "next/cache";
import { unstable_rethrow } from "next/navigation";
import { z, ZodError } from "zod";
import { ApiError } from "@/lib/api/errors";
import { can, type Permission } from "@/lib/auth/roles";
import { getSessionUser, type SessionUser } from "@/lib/auth/get-session-user";
import { auditDenial } from "@/lib/auth/audit-denial";
import { requestIp } from "@/lib/auth/request-ip";
import { countAdminRequest } from "@/lib/abuse/count-admin-request";
import { prisma } from "@/lib/db/prisma";
import { KeyProviderUnavailableError } from "@/lib/crypto/key-provider-unavailable";
import { auditKeyProviderUnavailable } from "@/lib/keys/audit-key-provider-unavailable";
import type { FormState } from "./form-state";
import { echo } from "./read-form";

export interface ActionContext {
  user: SessionUser;
  actor: { type: "user"; id: string };
  ip: string | null;
}

export async function runAction(permission: Permission, name: string, fn: (ctx: ActionContext) => Promise<FormState>, fd?: FormData): Promise<FormState> {
  const state = await runGuarded(permission, name, fn);
  return !state.ok && fd ? { ...state, values: echo(fd) } : state;
}

async function runGuarded(permission: Permission, name: string, fn: (ctx: ActionContext) => Promise<FormState>): Promise<FormState> {
  const user = await getSessionUser();
  if (!user) return { status: 401, message: "Your session has ended: sign in again." };
  const ip = await requestIp();
  try {
    await countAdminRequest(prisma, { user: { userId: user.id, orgId: user.orgId }, ip, route: `action ${name}` });
  } catch (err) {
    if (err instanceof ApiError && err.code === "rate_limited") return { status: 429, message: "Too many requests: wait a minute and try again." };
    throw err;
  }
  if (!can(user.role, permission)) {
    await auditDenial({ orgId: user.orgId, userId: user.id, role: user.role }, permission, { via: "web", action: name }, ip);
    return { status: 403, message: `Your role (${user.role}) may not do this.` };
  }
  try {
    const state = await fn({ user, actor: { type: "user", id: user.id }, ip });
    // Pages read the database per request; this drops the client's cached copies.
    revalidatePath("/", "layout");
    return state;
  } catch (err) {
    unstable_rethrow(err);
    if (err instanceof ZodError) {
      const flat = z.flattenError(err);
      return { status: 400, message: flat.formErrors[0] ?? "Check the highlighted fields.", fieldErrors: flat.fieldErrors as Record<string, string[]> };
    }
    if (err instanceof ApiError) {
      const issues = (err.extra.issues as { path: string[]; message: string }[] | undefined) ?? [];
      const fieldErrors = Object.fromEntries(issues.map((i) => [i.path.join("."), [i.message]]));
      return { status: err.status, message: err.message, fieldErrors };
    }
    if ((err as { code?: string })?.code === "P2002") return { status: 409, message: "That name is already taken." };
    if (err instanceof KeyProviderUnavailableError) {
      await auditKeyProviderUnavailable(prisma, err);
      return { status: 503, message: "The vault's key provider (HSM) is unavailable; nothing was changed. Try again shortly." };
    }
    console.error("[runtime-vault] action failed:", name, (err as Error)?.name, (err as { code?: string })?.code ?? "");
    return { status: 500, message: "Something went wrong; nothing was changed. Try again." };
  }
}
