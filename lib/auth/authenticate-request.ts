// Who is calling an admin route handler: an `rva_` bearer token (automation) or, for
// reads only, the next-auth session cookie (the web app's downloads and live stream).
// State changes from the browser go through server actions, which Next checks for
// origin; accepting the cookie on writes here would invite CSRF. Every call, known
// caller or not, is counted against the rate limits (lib/abuse/count-admin-request.ts).
import { prisma } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { clientIp } from "@/lib/api/request";
import { bearerToken } from "@/lib/crypto/tokens";
import { countAdminRequest } from "@/lib/abuse/count-admin-request";
import { authenticateAdmin, type AdminPrincipal } from "./authenticate-admin";
import { auditDenial } from "./audit-denial";
import { getSessionUser } from "./get-session-user";
import { can, type Permission } from "./roles";

const READS = new Set(["GET", "HEAD"]);

export async function authenticateRequest(req: Request, permission: Permission): Promise<AdminPrincipal> {
  const ip = clientIp(req);
  const header = req.headers.get("authorization");
  let admin: AdminPrincipal | null = null;
  if (header) {
    const token = bearerToken(header, "rva_");
    admin = token ? await authenticateAdmin(prisma, token) : null;
  } else if (READS.has(req.method)) {
    const user = await getSessionUser();
    admin = user ? { userId: user.id, orgId: user.orgId, role: user.role, email: user.email, tokenId: null } : null;
  }
  const path = new URL(req.url).pathname;
  // Before the role check: refused requests spend the budget too.
  await countAdminRequest(prisma, { user: admin, ip, route: `${req.method} ${path}` });
  if (!admin) throw new ApiError("unauthenticated", "A valid admin API token is required");
  await assertPermission(req, admin, permission);
  return admin;
}

/** For a handler whose request asks for more than its route's permission (e.g. `?all=true`): audited 403. */
export async function assertPermission(req: Request, admin: AdminPrincipal, permission: Permission): Promise<void> {
  if (can(admin.role, permission)) return;
  await auditDenial(admin, permission, { method: req.method, path: new URL(req.url).pathname }, clientIp(req));
  throw new ApiError("forbidden", `Your role (${admin.role}) may not do this`);
}
