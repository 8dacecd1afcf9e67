"use server";
import { prisma } from "@/lib/db/prisma";
import { runAction } from "@/lib/forms/run-action";
import type { FormState } from "@/lib/forms/form-state";
import { text } from "@/lib/forms/read-form";
import { approveLease } from "@/lib/approvals/approve-lease";
import { denyLease } from "@/lib/approvals/deny-lease";
import { decideLeaseSchema, denyLeaseSchema } from "@/lib/validations/approval";
import { leaseIdSchema } from "@/lib/validations/lease";

export async function approveAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("approvals:decide", "approve lease", async ({ user, ip }) => {
    const leaseId = leaseIdSchema.parse(text(fd, "id"));
    const { reason } = decideLeaseSchema.parse({ reason: text(fd, "reason") });
    const result = await approveLease(prisma, { orgId: user.orgId, leaseId, userId: user.id, reason, ip });
    return {
      ok: true,
      message: result.status === "active" ? "Approved: the bot can collect its lease now." : `Approval recorded (${result.approvals} of ${result.required}).`,
    };
  });
}

export async function denyAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("approvals:decide", "deny lease", async ({ user, ip }) => {
    const leaseId = leaseIdSchema.parse(text(fd, "id"));
    const { reason } = denyLeaseSchema.parse({ reason: text(fd, "reason") });
    await denyLease(prisma, { orgId: user.orgId, leaseId, userId: user.id, reason, ip });
    return { ok: true, message: "Denied. The bot's next poll sees status “denied”." };
  });
}
