import type { Prisma } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { generateToken, hashToken } from "@/lib/crypto/tokens";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";

const DAY_MS = 86_400_000;

export interface CreateApiTokenOptions {
  orgId: string;
  /** The member the token acts as. */
  userId: string;
  name: string;
  actor: Actor;
  /** Omitted: the token never expires (bootstrap and test seeding; members' tokens go through issueApiToken). */
  expiresInDays?: number;
  /** The token the request came with, when it came with one. */
  createdByTokenId?: string | null;
  ip?: string | null;
  /** Supplied by bootstrap (RV_BOOTSTRAP_API_TOKEN); otherwise a fresh random token. */
  token?: string;
}

/**
 * Returns the plaintext token once; only its SHA-256 is stored. No policy here (this
 * module stays free of next/server for the seeding scripts): members' requests go
 * through issueApiToken.
 */
export async function createApiToken(tx: Prisma.TransactionClient, opts: CreateApiTokenOptions) {
  const token = opts.token ?? generateToken("rva_");
  const expiresAt = opts.expiresInDays === undefined ? null : new Date(Date.now() + opts.expiresInDays * DAY_MS);
  const row = await tx.apiToken.create({
    data: {
      id: newId("tok"),
      orgId: opts.orgId,
      userId: opts.userId,
      name: opts.name,
      tokenHash: hashToken(token),
      expiresAt,
      createdByTokenId: opts.createdByTokenId ?? null,
    },
    select: { id: true, name: true, userId: true, createdAt: true, expiresAt: true, createdByTokenId: true },
  });
  await recordAuditEvent(tx, {
    orgId: opts.orgId,
    type: "api_token.created",
    actor: opts.actor,
    ip: opts.ip,
    data: {
      tokenId: row.id,
      userId: opts.userId,
      name: opts.name,
      expiresAt: expiresAt?.toISOString() ?? null,
      ...(row.createdByTokenId ? { viaTokenId: row.createdByTokenId } : {}),
    },
  });
  return { ...row, token };
}
