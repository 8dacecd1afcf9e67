import { forbidden, redirect } from "next/navigation";
import { can, type Permission } from "./roles";
import { getSessionUser, type SessionUser } from "./get-session-user";
import { auditDenial } from "./audit-denial";
import { requestIp } from "./request-ip";

/**
 * For server components: no session → sign-in page. A role without `permission` is
 * audited, then the page is interrupted with `forbidden()`: the response is an HTTP
 * 403 rendering app/(admin)/forbidden.tsx instead of any data. Pages call this before
 * anything streams (no Suspense or loading.tsx above it), or the status would stay 200.
 */
export async function requirePageUser(permission: Permission, path: string): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(path)}`);
  if (can(user.role, permission)) return user;
  await auditDenial({ orgId: user.orgId, userId: user.id, role: user.role }, permission, { via: "web", action: `view ${path}` }, await requestIp());
  forbidden();
}
