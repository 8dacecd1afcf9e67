// The one place pages, server actions and session-authenticated route handlers
// learn who is signed in. Cached per request (React `cache`), and the role is
// always read fresh from the database: the JWT only names the user.
import { cache } from "react";
import { getServerSession } from "next-auth";
import { prisma } from "@/lib/db/prisma";
import type { Role } from "@/lib/generated/prisma/enums";
import { getAuthOptions } from "./auth-options";

export interface SessionUser {
  id: string;
  orgId: string;
  orgName: string;
  email: string;
  name: string | null;
  role: Role;
}

export const getSessionUser = cache(async (): Promise<SessionUser | null> => {
  const session = await getServerSession(getAuthOptions());
  const id = (session?.user as { id?: string } | undefined)?.id;
  if (!id) return null;
  const user = await prisma.user.findUnique({
    where: { id },
    select: { id: true, orgId: true, email: true, name: true, role: true, org: { select: { name: true } } },
  });
  if (!user) return null;
  const { org, ...rest } = user;
  return { ...rest, orgName: org.name };
});
