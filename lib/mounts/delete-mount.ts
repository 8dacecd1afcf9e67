import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";

/**
 * Grants limited to the mount go with it (they could serve nothing else). Leases
 * already issued through it stay until they expire or are revoked.
 */
export async function deleteMount(tx: Prisma.TransactionClient, { orgId, id, actor, ip }: { orgId: string; id: string; actor: Actor; ip?: string | null }) {
  const mount = await tx.mount.findFirst({ where: { id, orgId }, select: { id: true, name: true, botId: true } });
  if (!mount) throw new ApiError("not_found", "Mount not found");
  const grants = await tx.grant.deleteMany({ where: { orgId, mountId: id } });
  await tx.mount.delete({ where: { id } });
  await recordAuditEvent(tx, {
    orgId,
    type: "mount.deleted",
    actor,
    botId: mount.botId,
    ip,
    data: { mountId: id, name: mount.name, grantsRemoved: grants.count },
  });
  return { id, grantsRemoved: grants.count };
}
