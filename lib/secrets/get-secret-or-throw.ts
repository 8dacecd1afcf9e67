import type { Db } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { secretSelect } from "./select";

export async function getSecretOrThrow(db: Db, { orgId, id }: { orgId: string; id: string }) {
  const secret = await db.secret.findFirst({
    where: { id, orgId },
    select: {
      ...secretSelect,
      versions: { select: { version: true, createdAt: true, createdBy: true, keyId: true }, orderBy: { version: "desc" } },
      _count: { select: { grants: true, leases: { where: { status: "active", expiresAt: { gt: new Date() } } } } },
    },
  });
  if (!secret) throw new ApiError("not_found", "Secret not found");
  const { _count, ...rest } = secret;
  return { ...rest, grantCount: _count.grants, activeLeaseCount: _count.leases };
}
