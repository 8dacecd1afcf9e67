// For route handlers that serve both automation (an `rva_` bearer token) and the
// web app (the next-auth session cookie). Only GET routes use the session: state
// changes from the browser go through server actions, which Next checks for origin.
import { prisma, transaction } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { clientIp } from "@/lib/api/request";
import { bearerToken } from "@/lib/crypto/tokens";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { authenticateAdmin, type AdminPrincipal } from "./authenticate-admin";
import { getSessionUser } from "./get-session-user";
import { can, type Permission } from "./roles";

export async function authenticateRequest(req: Request, permission: Permission): Promise<AdminPrincipal> {
  const header = req.headers.get("authorization");
  let admin: AdminPrincipal | null = null;
  if (header) {
    const token = bearerToken(header, "rva_");
    admin = token ? await authenticateAdmin(prisma, token) : null;
  } else {
    const user = await getSessionUser();
    admin = user ? { userId: user.id, orgId: user.orgId, role: user.role, email: user.email, tokenId: null } : null;
  }
  if (!admin) throw new ApiError("unauthenticated", "Sign in or send a valid admin API token");
  if (!can(admin.role, permission)) {
    await transaction(prisma, (tx) =>
      recordAuditEvent(tx, {
        orgId: admin.orgId,
        type: "admin.denied",
        actor: { type: "user", id: admin.userId },
        outcome: "denied",
        reason: `role ${admin.role} lacks ${permission}`,
        ip: clientIp(req),
        data: { method: req.method, path: new URL(req.url).pathname },
      }),
    );
    throw new ApiError("forbidden", `Your role (${admin.role}) may not do this`);
  }
  return admin;
}
