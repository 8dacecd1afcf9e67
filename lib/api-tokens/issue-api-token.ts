import type { Prisma } from "@/lib/generated/prisma/client";
import { ApiError } from "@/lib/api/errors";
import type { Actor } from "@/lib/audit/record-audit-event";
import type { CreateApiTokenInput } from "@/lib/validations/api-token";
import { createApiToken } from "./create-api-token";

/**
 * Live (unrevoked, unexpired) tokens one member may hold: plenty for automation, and it
 * stops a leaked token from minting so many that the rest drown in the listing.
 */
export const MAX_LIVE_TOKENS_PER_MEMBER = 50;

export interface IssueApiTokenOptions {
  orgId: string;
  /** Always the caller: nobody mints a token that acts as someone else. */
  userId: string;
  input: CreateApiTokenInput;
  /** The token the request came with (API), or null (web session). */
  viaTokenId: string | null;
  actor: Actor;
  ip?: string | null;
}

/** A member's own API token, as the API and the web app create it: always with an expiry. */
export async function issueApiToken(tx: Prisma.TransactionClient, { orgId, userId, input, viaTokenId, actor, ip }: IssueApiTokenOptions) {
  // Lock the member's row so two concurrent requests cannot both take the last slot.
  await tx.$queryRaw`SELECT 1 FROM "User" WHERE "id" = ${userId} AND "orgId" = ${orgId} FOR UPDATE`;
  const now = new Date();
  const live = await tx.apiToken.count({
    where: { orgId, userId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
  });
  if (live >= MAX_LIVE_TOKENS_PER_MEMBER) {
    throw new ApiError("conflict", `You already have ${MAX_LIVE_TOKENS_PER_MEMBER} live API tokens: revoke some first`);
  }
  return createApiToken(tx, { orgId, userId, name: input.name, expiresInDays: input.expiresInDays, createdByTokenId: viaTokenId, actor, ip });
}
