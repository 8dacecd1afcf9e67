import type { Db } from "@/lib/db/prisma";

/** The session if it is neither signed out, revoked, nor past its absolute lifetime. */
export function findActiveSession(db: Db, { id, now = new Date() }: { id: string; now?: Date }) {
  return db.userSession.findFirst({
    where: { id, revokedAt: null, expiresAt: { gt: now } },
    select: { id: true, userId: true, expiresAt: true },
  });
}
