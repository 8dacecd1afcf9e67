// A bot reads one of its leases. When an approved lease has no token yet, this is
// the moment it is minted: one conditional UPDATE sets the hash only while it is
// still null, so concurrent polls cannot both walk away with a token.
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { transaction } from "@/lib/db/prisma";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { generateToken, hashToken } from "@/lib/crypto/tokens";
import { getBotLeaseOrThrow } from "./get-bot-lease-or-throw";

export interface CollectLeaseOptions {
  orgId: string;
  botId: string;
  id: string;
  ip?: string | null;
  now?: () => Date;
}

export async function collectLease(db: PrismaClient, { orgId, botId, id, ip = null, now = () => new Date() }: CollectLeaseOptions) {
  const lease = await getBotLeaseOrThrow(db, { orgId, botId, id });
  if (lease.status !== "active") return lease;
  // Leases issued without approval got their token at request time: skip the write path.
  if ((await db.lease.count({ where: { id, tokenHash: null } })) === 0) return lease;
  const leaseToken = generateToken("rvl_");
  const minted = await transaction(db, async (tx) => {
    const rows = await tx.$queryRaw<{ id: string; secretId: string | null; secretName: string; scope: string }[]>`
      UPDATE "Lease" SET "tokenHash" = ${hashToken(leaseToken)}
       WHERE "id" = ${id} AND "orgId" = ${orgId} AND "botId" = ${botId}
         AND "tokenHash" IS NULL AND "status" = 'active' AND "expiresAt" > ${now()}
   RETURNING "id", "secretId", "secretName", "scope"`;
    if (rows.length === 0) return false;
    await recordAuditEvent(tx, {
      orgId,
      type: "lease.collected",
      actor: { type: "bot", id: botId },
      botId,
      secretId: rows[0].secretId,
      secretName: rows[0].secretName,
      scope: rows[0].scope,
      leaseId: id,
      ip,
    });
    return true;
  });
  return minted ? { ...lease, leaseToken } : lease;
}
