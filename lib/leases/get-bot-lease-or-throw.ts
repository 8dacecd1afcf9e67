import type { Db } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { presentLease } from "./lease-status";

/** A bot sees only its own leases; anyone else's id is simply not found. */
export async function getBotLeaseOrThrow(db: Db, { orgId, botId, id }: { orgId: string; botId: string; id: string }) {
  const lease = await db.lease.findFirst({
    where: { id, orgId, botId },
    select: { id: true, secretName: true, scope: true, status: true, singleUse: true, expiresAt: true, resolveCount: true, createdAt: true },
  });
  if (!lease) throw new ApiError("not_found", "Lease not found");
  const { secretName, ...rest } = presentLease(lease);
  return { ...rest, secret: secretName };
}
