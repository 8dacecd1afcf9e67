import type { Db } from "@/lib/db/prisma";
import { memberSelect } from "./member-select";

export async function listMembers(db: Db, { orgId }: { orgId: string }) {
  const rows = await db.user.findMany({ where: { orgId }, select: memberSelect, orderBy: { email: "asc" } });
  const now = new Date();
  return rows.map(({ setPasswordExpiresAt, ...m }) => ({ ...m, invitePending: setPasswordExpiresAt !== null && setPasswordExpiresAt > now }));
}
