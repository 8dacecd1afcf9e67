// A bot reads one of its leases. When an approved lease has no token yet, this is
// the moment it is minted: one conditional UPDATE sets the hash only while it is
// still null, so concurrent polls cannot both walk away with a token. The approval is
// checked again first: if whoever approved has since rotated the bot's token, recreated
// its grant or edited its mount (or left), the approval was not independent of the
// person now collecting, and the lease is revoked instead of handed out.
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { transaction } from "@/lib/db/prisma";
import { recordAuditEvent, SYSTEM_ACTOR } from "@/lib/audit/record-audit-event";
import { generateToken, hashToken } from "@/lib/crypto/tokens";
import { getPolicyOrThrow } from "@/lib/policy/get-policy";
import { approverExclusions, countEligibleApprovals, loadApprovalContext } from "@/lib/approvals/approver-exclusions";
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
  const at = now();
  const minted = await transaction(db, async (tx) => {
    const [pending] = await tx.$queryRaw<{ secretId: string | null; secretName: string; scope: string; mountId: string | null }[]>`
      SELECT "secretId", "secretName", "scope", "mountId" FROM "Lease"
       WHERE "id" = ${id} AND "orgId" = ${orgId} AND "botId" = ${botId}
         AND "tokenHash" IS NULL AND "status" = 'active' AND "expiresAt" > ${at}
         FOR UPDATE`;
    if (!pending) return false;
    const { excluded, blocked } = approverExclusions(await loadApprovalContext(tx, { orgId, lease: { botId, ...pending } }));
    const approvals = await countEligibleApprovals(tx, { orgId, leaseId: id, excluded });
    const required = Math.max(1, (await getPolicyOrThrow(tx, { orgId })).approvalsRequired);
    if (blocked || approvals < required) {
      const reason = blocked ?? `approval no longer independent: ${approvals} of ${required} approvals still count`;
      await tx.lease.update({ where: { id }, data: { status: "revoked", revokedAt: at, revokeReason: reason } });
      await recordAuditEvent(tx, {
        orgId,
        type: "lease.revoked",
        actor: SYSTEM_ACTOR,
        botId,
        secretId: pending.secretId,
        secretName: pending.secretName,
        scope: pending.scope,
        leaseId: id,
        reason,
        ip,
        data: { approvals, required },
      });
      return "revoked" as const;
    }
    const rows = await tx.$queryRaw<{ id: string; secretId: string | null; secretName: string; scope: string }[]>`
      UPDATE "Lease" SET "tokenHash" = ${hashToken(leaseToken)}
       WHERE "id" = ${id} AND "orgId" = ${orgId} AND "botId" = ${botId}
         AND "tokenHash" IS NULL AND "status" = 'active' AND "expiresAt" > ${at}
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
  if (minted === "revoked") return { ...lease, status: "revoked" as const };
  return minted ? { ...lease, leaseToken } : lease;
}
