// Four eyes: nobody may approve a lease whose value they could then obtain alone.
// Whoever has seen the bot's current token (its creator, whoever issued the token),
// chose what the bot may lease (the grant's creator) or what runs with the value
// (every editor of the mount it is requested through) counts as the requester.
// Approvals are counted among the others only, and only while they are members with
// the right to decide: checked when a lease is approved and again when it is collected,
// so rotating the token or recreating the grant after an approval voids that approval.
import type { Db } from "@/lib/db/prisma";
import { PERMISSIONS } from "@/lib/auth/roles";

export interface ApprovalContext {
  botCreatedBy: string | null;
  tokenIssuedBy: string | null;
  grant: { createdBy: string | null } | null;
  mountEditors: string[];
  /** The request named a mount that no longer exists: whoever deleted it also took its editors' names away. */
  mountMissing: boolean;
}

export interface ApproverExclusions {
  /** userId → why that user may not approve. */
  excluded: Map<string, string>;
  /** Set when nobody may approve at all, and why. */
  blocked: string | null;
}

interface LeaseRef {
  botId: string;
  secretId: string | null;
  mountId: string | null;
}

/** What the rule needs for each lease, in three queries however many leases there are. */
export async function loadApprovalContexts(db: Db, { orgId, leases }: { orgId: string; leases: LeaseRef[] }): Promise<ApprovalContext[]> {
  const botIds = [...new Set(leases.map((l) => l.botId))];
  const secretIds = [...new Set(leases.flatMap((l) => (l.secretId ? [l.secretId] : [])))];
  const mountIds = [...new Set(leases.flatMap((l) => (l.mountId ? [l.mountId] : [])))];
  const [bots, grants, mounts] = await Promise.all([
    db.bot.findMany({ where: { orgId, id: { in: botIds } }, select: { id: true, createdBy: true, tokenIssuedBy: true } }),
    db.grant.findMany({ where: { orgId, botId: { in: botIds }, secretId: { in: secretIds } }, select: { botId: true, secretId: true, createdBy: true } }),
    mountIds.length ? db.mount.findMany({ where: { orgId, id: { in: mountIds } }, select: { id: true, editedBy: true } }) : [],
  ]);
  return leases.map((l) => {
    const bot = bots.find((b) => b.id === l.botId);
    const grant = grants.find((g) => g.botId === l.botId && g.secretId === l.secretId);
    const mount = mounts.find((m) => m.id === l.mountId);
    return {
      botCreatedBy: bot?.createdBy ?? null,
      tokenIssuedBy: bot?.tokenIssuedBy ?? null,
      grant: grant ? { createdBy: grant.createdBy } : null,
      mountEditors: mount?.editedBy ?? [],
      mountMissing: l.mountId !== null && !mount,
    };
  });
}

export async function loadApprovalContext(db: Db, { orgId, lease }: { orgId: string; lease: LeaseRef }): Promise<ApprovalContext> {
  return (await loadApprovalContexts(db, { orgId, leases: [lease] }))[0];
}

export function approverExclusions(ctx: ApprovalContext): ApproverExclusions {
  const excluded = new Map<string, string>();
  const exclude = (userId: string | null, why: string) => {
    if (userId && !excluded.has(userId)) excluded.set(userId, why);
  };
  exclude(ctx.botCreatedBy, "You created this bot");
  exclude(ctx.tokenIssuedBy, "You issued this bot's current token");
  exclude(ctx.grant?.createdBy ?? null, "You granted this bot the secret");
  for (const editor of ctx.mountEditors) exclude(editor, "You edited the mount this request runs through");
  return { excluded, blocked: blockedReason(ctx) };
}

function blockedReason(ctx: ApprovalContext): string | null {
  if (!ctx.grant) return "The bot no longer holds a grant for this secret";
  if (ctx.mountMissing) return "The mount this request was made through has been deleted";
  // Unknown is not "nobody": a token or grant no member is recorded for could be anyone's.
  if (!ctx.tokenIssuedBy) return "Nobody is recorded as issuing this bot's token, so no approval can be independent of it: rotate the token first";
  if (!ctx.grant.createdBy) return "Nobody is recorded as creating this grant, so no approval can be independent of it: recreate the grant first";
  return null;
}

/**
 * Distinct approvers of the lease who still count: not excluded, and still members of
 * the org whose role may decide (an approval by someone since removed or demoted lapses).
 */
export async function countEligibleApprovals(db: Db, { orgId, leaseId, excluded }: { orgId: string; leaseId: string; excluded: Map<string, string> }): Promise<number> {
  const approvals = await db.approval.findMany({ where: { orgId, leaseId, decision: "approved" }, select: { userId: true } });
  const userIds = approvals.map((a) => a.userId).filter((id) => !excluded.has(id));
  if (userIds.length === 0) return 0;
  return db.user.count({ where: { orgId, id: { in: userIds }, role: { in: [...PERMISSIONS["approvals:decide"]] } } });
}
