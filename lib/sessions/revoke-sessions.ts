import type { Db } from "@/lib/db/prisma";

/** Ends one session (sign-out). Returns its member, or null when it had already ended. */
export async function revokeSession(db: Db, { id, now = new Date() }: { id: string; now?: Date }) {
  const rows = await db.userSession.updateManyAndReturn({
    where: { id, revokedAt: null },
    data: { revokedAt: now },
    select: { userId: true, user: { select: { orgId: true, email: true } } },
  });
  return rows[0] ?? null;
}

/** Ends every session of a member, but `exceptId` (the one asking, after a password change). */
export async function revokeUserSessions(db: Db, { userId, exceptId, now = new Date() }: { userId: string; exceptId?: string | null; now?: Date }) {
  const { count } = await db.userSession.updateMany({
    where: { userId, revokedAt: null, ...(exceptId ? { id: { not: exceptId } } : {}) },
    data: { revokedAt: now },
  });
  return count;
}
