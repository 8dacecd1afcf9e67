import type { Db } from "@/lib/db/prisma";
import { newId } from "@/lib/ids";
import { sessionMaxAgeSeconds } from "./session-lifetime";

/** A new web session for a member who just signed in; its id goes into the session cookie. */
export async function createSession(db: Db, { userId, now = new Date() }: { userId: string; now?: Date }) {
  const session = await db.userSession.create({
    data: { id: newId("ses"), userId, createdAt: now, expiresAt: new Date(now.getTime() + sessionMaxAgeSeconds() * 1000) },
    select: { id: true, expiresAt: true },
  });
  // Ended sessions are useless after a day; trim them now and then rather than on every sign-in.
  if (Math.random() < 0.05) {
    const dayAgo = new Date(now.getTime() - 24 * 3600 * 1000);
    await db.userSession.deleteMany({ where: { OR: [{ expiresAt: { lt: dayAgo } }, { revokedAt: { lt: dayAgo } }] } });
  }
  return session;
}
