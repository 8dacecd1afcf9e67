// Read-your-writes for the trail: an action's event is sealed within RV_AUDIT_SEAL_MS,
// but a client that acts and then lists the trail at once should find it there. So a
// list first seals the org's pending events, if it has any (one cheap lookup otherwise).
import type { Db, PrismaClient } from "@/lib/db/prisma";
import { sealAuditChain } from "./seal-audit-chain";

export async function sealForReading(db: Db, orgId: string): Promise<void> {
  // Inside a transaction the caller reads its own snapshot; sealing there would not help.
  // (Not `in`: the app's client is a proxy that only answers property reads.)
  if (typeof (db as PrismaClient).$transaction !== "function") return;
  const pending = await db.auditPending.findFirst({ where: { orgId }, select: { pid: true } });
  if (!pending) return;
  // A refusal (a tampered chain) is verify's to report; the list shows what is sealed.
  for (let batch = 0; batch < 10; batch++) {
    const result = await sealAuditChain(db as PrismaClient, { orgId, wait: true });
    if (!result.ok || !result.more) return;
  }
}
