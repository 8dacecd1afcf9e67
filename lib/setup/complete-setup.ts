// Redeems the first-start link: the org, its owner and the audit trail's first events
// in one transaction, under the same lock as bootstrap, so of two browsers racing
// exactly one creates the owner and the other is told the vault is set up.
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { transaction } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { recordAuditEvent, SYSTEM_ACTOR } from "@/lib/audit/record-audit-event";
import { digestsEqual, hashToken } from "@/lib/crypto/tokens";
import { createOrganization } from "@/lib/orgs/create-organization";
import { lockFirstOwner } from "@/lib/orgs/lock-first-owner";
import { createUser } from "@/lib/users/create-user";
import type { CompleteSetupInput } from "@/lib/validations/setup";
import { SETUP_TOKEN_ID } from "./issue-setup-token";
import { ownerExists } from "./owner-exists";

export interface CompleteSetupOptions extends CompleteSetupInput {
  ip?: string | null;
  /** The moment the link is checked against its expiry (tests move it). */
  now?: Date;
}

export async function completeSetup(db: PrismaClient, { token, orgName, email, password, ip = null, now = new Date() }: CompleteSetupOptions) {
  return transaction(db, async (tx) => {
    await lockFirstOwner(tx);
    if (await ownerExists(tx)) throw new ApiError("conflict", "This vault already has an owner: sign in instead");
    const row = await tx.setupToken.findUnique({ where: { id: SETUP_TOKEN_ID }, select: { tokenHash: true, expiresAt: true } });
    if (!row || !digestsEqual(row.tokenHash, hashToken(token)) || row.expiresAt <= now) {
      throw new ApiError("not_found", "This setup link is invalid or has expired: restart `npm start` and open the new link it prints");
    }
    // Single use: gone with the commit that creates the owner.
    await tx.setupToken.delete({ where: { id: SETUP_TOKEN_ID } });
    const org = await createOrganization(tx, { name: orgName, slug: "default" });
    const user = await createUser(tx, { orgId: org.id, email, password, role: "owner", actor: SYSTEM_ACTOR });
    await recordAuditEvent(tx, {
      orgId: org.id,
      type: "org.setup_completed",
      actor: { type: "user", id: user.id },
      ip,
      data: { email: user.email, via: "setup link" },
    });
    return { orgId: org.id, userId: user.id, email: user.email };
  });
}
