import type { Db } from "@/lib/db/prisma";
import { apiTokenSelect, presentApiToken } from "./select";

export interface ListApiTokensOptions {
  orgId: string;
  /** The caller's own tokens; undefined lists the whole org's (callers check tokens:others first). */
  userId?: string;
}

/** Newest first, revoked and expired ones included (marked by status) so the history stays readable. */
export async function listApiTokens(db: Db, { orgId, userId }: ListApiTokensOptions) {
  const rows = await db.apiToken.findMany({
    where: { orgId, ...(userId ? { userId } : {}) },
    select: apiTokenSelect,
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take: 1000,
  });
  const now = new Date();
  return rows.map((row) => presentApiToken(row, now));
}
