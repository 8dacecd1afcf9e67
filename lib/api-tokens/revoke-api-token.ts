import type { Prisma } from "@/lib/generated/prisma/client";
import type { Role } from "@/lib/generated/prisma/enums";
import { ApiError } from "@/lib/api/errors";
import { can } from "@/lib/auth/roles";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { apiTokenSelect, presentApiToken } from "./select";

export interface RevokeApiTokenOptions {
  orgId: string;
  id: string;
  /** Who asks: their own tokens always, anyone's in the org with tokens:others (owners). */
  caller: { userId: string; role: Role };
  actor: Actor;
  ip?: string | null;
}

/**
 * Takes effect on the token's next request (authenticate-admin reads revokedAt every
 * time). Someone else's token, for a caller who may not touch it, is "not found", as is
 * another org's: the answer does not say which tokens exist. Revoking twice is a no-op.
 */
export async function revokeApiToken(tx: Prisma.TransactionClient, { orgId, id, caller, actor, ip }: RevokeApiTokenOptions) {
  const mineOnly = !can(caller.role, "tokens:others");
  const where = { id, orgId, ...(mineOnly ? { userId: caller.userId } : {}) };
  const token = await tx.apiToken.findFirst({ where, select: { id: true } });
  if (!token) throw new ApiError("not_found", "API token not found");
  // Conditional, so two concurrent revokes record one event between them.
  const { count } = await tx.apiToken.updateMany({ where: { ...where, revokedAt: null }, data: { revokedAt: new Date() } });
  const row = await tx.apiToken.findUniqueOrThrow({ where: { id }, select: apiTokenSelect });
  if (count === 1) {
    await recordAuditEvent(tx, {
      orgId,
      type: "api_token.revoked",
      actor,
      ip,
      data: { tokenId: row.id, userId: row.userId, name: row.name },
    });
  }
  return presentApiToken(row);
}
