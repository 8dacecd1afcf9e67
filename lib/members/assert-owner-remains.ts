import type { Prisma } from "@/lib/generated/prisma/client";
import { ApiError } from "@/lib/api/errors";

/** An org without an owner could never change its policy or members again. */
export async function assertOwnerRemains(tx: Prisma.TransactionClient, { orgId, exceptUserId }: { orgId: string; exceptUserId: string }) {
  // Lock the owners so two concurrent demotions cannot each leave "the other" owner.
  const owners = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "User" WHERE "orgId" = ${orgId} AND "role" = 'owner' FOR UPDATE`;
  if (!owners.some((o) => o.id !== exceptUserId)) {
    throw new ApiError("conflict", "An organization needs at least one owner: make someone else owner first");
  }
}
