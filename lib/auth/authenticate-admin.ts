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

/**
 * lastUsedAt is kept to this resolution: a token in a busy loop costs one write a
 * minute, not one per request.
 */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * The user behind an `rva_` admin API token, with the role read fresh from the database.
 * Unknown, revoked and expired tokens all answer null: the caller's 401 does not say which.
 */
export async function authenticateAdmin(db: Db, token: string, now = new Date()): Promise<AdminPrincipal | null> {
  const tokenHash = hashToken(token);
  const row = await db.apiToken.findUnique({
    where: { tokenHash },
    select: {
      id: true,
      orgId: true,
      tokenHash: true,
      revokedAt: true,
      expiresAt: true,
      lastUsedAt: true,
      user: { select: { id: true, role: true, email: true, orgId: true } },
    },
  });
  if (!row || row.revokedAt || !digestsEqual(row.tokenHash, tokenHash) || row.user.orgId !== row.orgId) return null;
  if (row.expiresAt && row.expiresAt <= now) return null;
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (!row.lastUsedAt || row.lastUsedAt <= stale) {
    // Conditional: of many instances (or requests) noticing the same stale stamp, one writes.
    await db.apiToken.updateMany({
      where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: stale } }] },
      data: { lastUsedAt: now },
    });
  }
  return { userId: row.user.id, orgId: row.orgId, role: row.user.role, email: row.user.email, tokenId: row.id };
}
