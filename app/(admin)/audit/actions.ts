"use server";
import { prisma } from "@/lib/db/prisma";
import { runAction } from "@/lib/forms/run-action";
import type { FormState } from "@/lib/forms/form-state";
import { verifyAuditChainOnce, type VerifyResult } from "@/lib/audit/verify-audit-chain";
import { getSessionUser } from "@/lib/auth/get-session-user";
import { can } from "@/lib/auth/roles";
import { latestEventSeq } from "@/lib/events/read-events-after";

function verifyNotes(r: VerifyResult): string {
  const anchor = r.anchor
    ? `Checked against the anchor at #${r.anchor.seq} (signed ${r.anchor.signedAt}).`
    : "No anchor file on this server to check against.";
  const archived = r.archived ? ` Events #1–#${r.archived.throughSeq} were archived on ${r.archived.archivedAt} (verify the archive file offline).` : "";
  const unsealed = r.unsealed.count
    ? ` ${r.unsealed.count} event${r.unsealed.count === 1 ? "" : "s"} not sealed yet (oldest ${r.unsealed.oldestAgeMs} ms).`
    : " Every recorded event is sealed.";
  return anchor + archived + unsealed;
}

function verifySummary(r: VerifyResult): string {
  const how = r.mode === "full" ? `all ${r.walked} re-computed` : `${r.walked} re-checked since the last signed checkpoint`;
  return `${r.checked} sealed events, ${how}. ${verifyNotes(r)}`;
}

export async function verifyChainAction(_prev: FormState, _fd: FormData): Promise<FormState> {
  return runAction("audit:read", "verify audit chain", async ({ user }) => {
    const result = await verifyAuditChainOnce(prisma, { orgId: user.orgId });
    return result.ok
      ? { ok: true, message: `Chain intact: ${verifySummary(result)}`, data: { verify: result } }
      : { ok: false, status: 409, message: `Chain broken at event #${result.brokenAt}: ${result.reason}. ${verifyNotes(result)}`, data: { verify: result } };
  });
}

/** Polled by the live timeline while no event stream is available: the newest seq only. */
export async function latestAuditSeq(): Promise<number | null> {
  const user = await getSessionUser();
  if (!user || !can(user.role, "audit:read")) return null;
  return Number(await latestEventSeq(prisma, { orgId: user.orgId }));
}
