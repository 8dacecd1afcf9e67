import type { Db } from "@/lib/db/prisma";
import type { Role } from "@/lib/generated/prisma/enums";
import { digestsEqual, hashToken } from "@/lib/crypto/tokens";

export interface AdminPrincipal {
  userId: string;
  orgId: string;
  role: Role;
  email: string;
  tokenId: string | null;
}

/** The user behind an `rva_` admin API token, with the role read fresh from the database. */
export async function authenticateAdmin(db: Db, token: string): Promise<AdminPrincipal | null> {
  const tokenHash = hashToken(token);
  const row = await db.apiToken.findUnique({
    where: { tokenHash },
    select: {
      id: true,
      orgId: true,
      tokenHash: true,
      revokedAt: true,
      user: { select: { id: true, role: true, email: true, orgId: true } },
    },
  });
  if (!row || row.revokedAt || !digestsEqual(row.tokenHash, tokenHash) || row.user.orgId !== row.orgId) return null;
  return { userId: row.user.id, orgId: row.orgId, role: row.user.role, email: row.user.email, tokenId: row.id };
}
