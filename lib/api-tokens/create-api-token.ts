import type { Prisma } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { generateToken, hashToken } from "@/lib/crypto/tokens";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";

export interface CreateApiTokenOptions {
  orgId: string;
  userId: string;
  name: string;
  actor: Actor;
  /** Supplied by bootstrap (RV_BOOTSTRAP_API_TOKEN); otherwise a fresh random token. */
  token?: string;
}

/** Returns the plaintext token once; only its SHA-256 is stored. */
export async function createApiToken(tx: Prisma.TransactionClient, opts: CreateApiTokenOptions) {
  const token = opts.token ?? generateToken("rva_");
  const row = await tx.apiToken.create({
    data: { id: newId("tok"), orgId: opts.orgId, userId: opts.userId, name: opts.name, tokenHash: hashToken(token) },
    select: { id: true, name: true, createdAt: true },
  });
  await recordAuditEvent(tx, {
    orgId: opts.orgId,
    type: "api_token.created",
    actor: opts.actor,
    data: { tokenId: row.id, userId: opts.userId, name: opts.name },
  });
  return { ...row, token };
}
