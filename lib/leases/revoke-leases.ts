// The incident button: revoke every active lease of a bot, of a secret, or of the whole org.
import type { Prisma } from "@/lib/generated/prisma/client";
import { ApiError } from "@/lib/api/errors";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import type { BulkRevokeInput } from "@/lib/validations/lease";
import { dropCachedDataKeys } from "@/lib/crypto/data-key-cache";

export interface RevokeLeasesOptions {
  orgId: string;
  actor: Actor;
  input: BulkRevokeInput;
  ip?: string | null;
}

/**
 * Lease issuance holds its bot's row FOR SHARE until it commits. Locking the bots
 * that could issue into this sweep FOR UPDATE first makes the sweep wait for those
 * leases, so none issued at the same moment escapes it.
 */
async function lockIssuingBots(tx: Prisma.TransactionClient, orgId: string, target: Record<string, string | boolean>) {
  if (typeof target.botId === "string") {
    await tx.$queryRaw`SELECT 1 FROM "Bot" WHERE "orgId" = ${orgId} AND "id" = ${target.botId} FOR UPDATE`;
  } else if (typeof target.secretId === "string") {
    await tx.$queryRaw`SELECT 1 FROM "Bot" WHERE "orgId" = ${orgId}
      AND "id" IN (SELECT "botId" FROM "Grant" WHERE "secretId" = ${target.secretId}) ORDER BY "id" FOR UPDATE`;
  } else {
    await tx.$queryRaw`SELECT 1 FROM "Bot" WHERE "orgId" = ${orgId} ORDER BY "id" FOR UPDATE`;
  }
}

export async function revokeLeases(tx: Prisma.TransactionClient, { orgId, actor, input, ip }: RevokeLeasesOptions) {
  // An incident: no unwrapped data key stays in memory (the next resolve asks the HSM again).
  dropCachedDataKeys();
  // Pending requests go too: an incident must not leave approvals that re-arm a bot.
  const where: Prisma.LeaseWhereInput = { orgId, status: { in: ["active", "pending"] } };
  let target: Record<string, string | boolean>;
  if ("botId" in input) {
    if (!(await tx.bot.findFirst({ where: { id: input.botId, orgId }, select: { id: true } }))) throw new ApiError("not_found", "Bot not found");
    where.botId = input.botId;
    target = { botId: input.botId };
  } else if ("secretId" in input) {
    if (!(await tx.secret.findFirst({ where: { id: input.secretId, orgId }, select: { id: true } }))) throw new ApiError("not_found", "Secret not found");
    where.secretId = input.secretId;
    target = { secretId: input.secretId };
  } else {
    target = { all: true };
  }
  await lockIssuingBots(tx, orgId, target);
  const { count } = await tx.lease.updateMany({
    where,
    data: { status: "revoked", revokedAt: new Date(), revokeReason: input.reason },
  });
  await recordAuditEvent(tx, {
    orgId,
    type: "leases.revoked",
    actor,
    botId: "botId" in input ? input.botId : null,
    secretId: "secretId" in input ? input.secretId : null,
    reason: input.reason,
    ip,
    data: { target, count },
  });
  return { revoked: count };
}
