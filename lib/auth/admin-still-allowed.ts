// Long-lived responses (the event stream) outlive the request that authorised them.
// This asks again what a new request would: does the token still exist unrevoked, does
// its user (or the session's user) still belong to the org with a role allowed `permission`?
import type { Db } from "@/lib/db/prisma";
import type { AdminPrincipal } from "./authenticate-admin";
import { can, type Permission } from "./roles";

export async function adminStillAllowed(db: Db, admin: AdminPrincipal, permission: Permission): Promise<boolean> {
  if (admin.tokenId) {
    const token = await db.apiToken.findUnique({
      where: { id: admin.tokenId },
      select: { orgId: true, revokedAt: true, user: { select: { id: true, orgId: true, role: true } } },
    });
    return (
      token !== null &&
      token.revokedAt === null &&
      token.orgId === admin.orgId &&
      token.user.id === admin.userId &&
      token.user.orgId === admin.orgId &&
      can(token.user.role, permission)
    );
  }
  const user = await db.user.findUnique({ where: { id: admin.userId }, select: { orgId: true, role: true } });
  return user !== null && user.orgId === admin.orgId && can(user.role, permission);
}
