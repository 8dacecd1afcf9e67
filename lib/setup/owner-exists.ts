import type { Db } from "@/lib/db/prisma";

/** Whether anyone owns an org yet; until then the vault is only reachable through setup. */
export async function ownerExists(db: Db): Promise<boolean> {
  return (await db.user.findFirst({ where: { role: "owner" }, select: { id: true } })) !== null;
}
