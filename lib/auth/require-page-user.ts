import { redirect } from "next/navigation";
import { can, type Permission } from "./roles";
import { getSessionUser, type SessionUser } from "./get-session-user";
import { auditDenial } from "./audit-denial";
import { requestIp } from "./request-ip";

export type PageAccess = { user: SessionUser; allowed: true } | { user: SessionUser; allowed: false; permission: Permission };

/**
 * For server components: no session → sign-in page. A role without `permission`
 * is audited and the page renders its 403 state instead of any data.
 */
export async function requirePageUser(permission: Permission, path: string): Promise<PageAccess> {
  const user = await getSessionUser();
  if (!user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(path)}`);
  if (can(user.role, permission)) return { user, allowed: true };
  await auditDenial({ orgId: user.orgId, userId: user.id, role: user.role }, permission, { via: "web", action: `view ${path}` }, await requestIp());
  return { user, allowed: false, permission };
}
