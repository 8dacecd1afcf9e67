// Kept apart from fixtures.ts so Playwright specs can import it: fixtures pulls in the
// lease code, which imports next/server.
import type { PrismaClient } from "../lib/db/prisma";
import { sealAuditChain } from "../lib/audit/seal-audit-chain";

/**
 * Seals pending audit events now, as the server's sealer does every 50 ms: those of
 * `orgId`, or of every org. Tests call it before reading the trail.
 */
export async function sealAudit(db: PrismaClient, orgId?: string): Promise<void> {
  const orgs = orgId ? [orgId] : (await db.$queryRaw<{ orgId: string }[]>`SELECT DISTINCT "orgId" FROM "AuditPending"`).map((r) => r.orgId);
  for (const id of orgs) {
    for (;;) {
      const result = await sealAuditChain(db, { orgId: id, wait: true });
      if (!result.ok) throw new Error(`audit chain of ${id} not sealed: ${"reason" in result ? result.reason : "busy"}`);
      if (!result.more) break;
    }
  }
}
