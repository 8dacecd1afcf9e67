"use server";
import { prisma, transaction } from "@/lib/db/prisma";
import { runAction } from "@/lib/forms/run-action";
import type { FormState } from "@/lib/forms/form-state";
import { bool, formData, text } from "@/lib/forms/read-form";
import { can } from "@/lib/auth/roles";
import { auditDenial } from "@/lib/auth/audit-denial";
import { revokeLease } from "@/lib/leases/revoke-lease";
import { revokeAll } from "@/lib/incidents/revoke-all";
import { incidentSchema } from "@/lib/validations/incident";
import { leaseIdSchema, revokeLeaseSchema } from "@/lib/validations/lease";

export async function revokeLeasesAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("leases:revoke", "revoke leases", async ({ user, actor, ip }) => {
    const ids = leaseIdSchema.array().min(1, "Select at least one lease").max(500).parse(formData(fd).getAll("id"));
    const { reason } = revokeLeaseSchema.parse({ reason: text(fd, "reason") });
    const results = await transaction(prisma, async (tx) => {
      const out = [];
      for (const id of ids) out.push(await revokeLease(tx, { orgId: user.orgId, id, actor, reason, ip }));
      return out;
    });
    const count = results.filter((r) => r.revoked).length;
    return { ok: true, message: `${count} lease${count === 1 ? "" : "s"} revoked; the next resolve answers 410.` };
  });
}

export async function incidentAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("leases:revoke", "incident revoke-all", async ({ user, actor, ip }) => {
    const kind = text(fd, "kind");
    // Checked alone first so a missing reason shows on its field, not as a union mismatch.
    const { reason } = revokeLeaseSchema.required().parse({ reason: text(fd, "reason") });
    const target = kind === "bot" ? { botId: text(fd, "botId"), reason } : kind === "secret" ? { secretId: text(fd, "secretId"), reason } : { all: true, reason };
    // The whole organization is confirmed by typing its name (checked here too, not only in the dialog).
    if (kind !== "bot" && kind !== "secret" && text(fd, "confirm") !== user.orgName) {
      return { status: 400, message: `Type the organization's name (${user.orgName}) to revoke every lease.`, fieldErrors: { confirm: [`Type ${user.orgName} to confirm`] } };
    }
    const input = incidentSchema.parse({ target, freezeBots: bool(fd, "freezeBots") });
    // Freezing is its own permission (today the same roles as revoking; checked so they cannot drift apart).
    if (input.freezeBots && !can(user.role, "bots:freeze")) {
      await auditDenial({ orgId: user.orgId, userId: user.id, role: user.role }, "bots:freeze", { via: "web", action: "incident revoke-all" }, ip);
      return { status: 403, message: `Your role (${user.role}) may not freeze bots.` };
    }
    const result = await transaction(prisma, (tx) => revokeAll(tx, { orgId: user.orgId, actor, input, ip }));
    return {
      ok: true,
      message: `Revoked ${result.revoked} lease${result.revoked === 1 ? "" : "s"}${input.freezeBots ? ` and froze ${result.frozenBots} bot${result.frozenBots === 1 ? "" : "s"}` : ""}.`,
      data: { revoked: result.revoked, frozenBots: result.frozenBots },
    };
  });
}
