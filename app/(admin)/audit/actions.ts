"use server";
import { prisma } from "@/lib/db/prisma";
import { runAction } from "@/lib/forms/run-action";
import type { FormState } from "@/lib/forms/form-state";
import { verifyAuditChainOnce } from "@/lib/audit/verify-audit-chain";
import { getSessionUser } from "@/lib/auth/get-session-user";
import { can } from "@/lib/auth/roles";
import { latestEventSeq } from "@/lib/events/read-events-after";

export async function verifyChainAction(_prev: FormState, _fd: FormData): Promise<FormState> {
  return runAction("audit:read", "verify audit chain", async ({ user }) => {
    const result = await verifyAuditChainOnce(prisma, { orgId: user.orgId });
    return result.ok
      ? { ok: true, message: `Chain intact: ${result.checked} events, ${result.walked} re-checked since the last signed checkpoint.` }
      : { ok: false, status: 409, message: `Chain broken at event #${result.brokenAt}: ${result.reason}.` };
  });
}

/** Polled by the live timeline while no event stream is available: the newest seq only. */
export async function latestAuditSeq(): Promise<number | null> {
  const user = await getSessionUser();
  if (!user || !can(user.role, "audit:read")) return null;
  return Number(await latestEventSeq(prisma, { orgId: user.orgId }));
}
