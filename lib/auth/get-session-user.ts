// The one place pages, server actions and session-authenticated route handlers
// learn who is signed in. Cached per request (React `cache`), and the role is
// always read fresh from the database: the JWT only names the user and the
// server-side session, which must still be active (signed-out, revoked and
// expired sessions are no session).
import { cache } from "react";
import { getServerSession } from "next-auth";
import { unstable_rethrow } from "next/navigation";
import { prisma } from "@/lib/db/prisma";
import type { Role } from "@/lib/generated/prisma/enums";
import { getAuthOptions, SESSION_ID } from "./auth-options";

export interface SessionUser {
  id: string;
  orgId: string;
  orgName: string;
  email: string;
  name: string | null;
  role: Role;
  /** The server-side session (UserSession) this request belongs to. */
  sessionId: string;
}

/**
 * A session lookup next-auth cannot complete (it throws, e.g. on a forwarded host it
 * cannot turn into a URL) is no session: the caller answers 401 or the sign-in page,
 * never a 500. The options are built outside the try: a missing master key must not
 * pass for "signed out".
 */
async function currentSession() {
  const options = getAuthOptions();
  try {
    return await getServerSession(options);
  } catch (err) {
    // Next's own control flow (dynamic rendering bail-outs) travels as exceptions too.
    unstable_rethrow(err);
    console.warn("[runtime-vault] session lookup failed, treated as signed out:", (err as Error)?.name, (err as { code?: string })?.code ?? "");
    return null;
  }
}

export const getSessionUser = cache(async (): Promise<SessionUser | null> => {
  // next-auth's jwt callback (lib/auth/auth-options.ts) has checked the session is still active.
  const session = await currentSession();
  const id = (session?.user as { id?: string } | undefined)?.id;
  const sessionId = (session as { [SESSION_ID]?: unknown } | null)?.[SESSION_ID];
  if (!id || typeof sessionId !== "string") return null;
  const user = await prisma.user.findUnique({
    where: { id },
    select: { id: true, orgId: true, email: true, name: true, role: true, org: { select: { name: true } } },
  });
  if (!user) return null;
  const { org, ...rest } = user;
  return { ...rest, orgName: org.name, sessionId };
});
