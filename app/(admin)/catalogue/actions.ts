"use server";
import { redirect } from "next/navigation";
import { prisma, transaction } from "@/lib/db/prisma";
import { runAction } from "@/lib/forms/run-action";
import type { FormState } from "@/lib/forms/form-state";
import { list, raw, text } from "@/lib/forms/read-form";
import { secretMetadataInput } from "@/lib/forms/update-inputs";
import { auditingCoverageRefusals } from "@/lib/approvals/approval-coverage";
import { createSecret } from "@/lib/secrets/create-secret";
import { updateSecret } from "@/lib/secrets/update-secret";
import { deleteSecret } from "@/lib/secrets/delete-secret";
import { rotateAndRevokeSecret } from "@/lib/secrets/rotate-and-revoke-secret";
import { idSchema } from "@/lib/validations/common";
import { createSecretSchema, deleteSecretFormSchema, rotateAndRevokeFormSchema, updateSecretSchema } from "@/lib/validations/secret";

// The value is read from the form, sealed, and never returned in any state.
export async function createSecretAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("catalogue:write", "create secret", async ({ user, actor, ip }) => {
    const input = createSecretSchema.parse({
      name: text(fd, "name"),
      scope: text(fd, "scope"),
      description: text(fd, "description"),
      tags: list(fd, "tags"),
      value: raw(fd, "value"),
    });
    const secret = await transaction(prisma, (tx) => createSecret(tx, { orgId: user.orgId, actor, input, ip }));
    return { ok: true, message: `${secret.name} (${secret.scope}) added at version 1. Its value is stored sealed and will not be shown again.` };
  }, fd);
}

export async function rotateSecretAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("catalogue:write", "rotate secret", async ({ user, actor, ip }) => {
    const id = idSchema("sec").parse(text(fd, "id"));
    const input = updateSecretSchema.parse({ value: raw(fd, "value") });
    const secret = await transaction(prisma, (tx) => updateSecret(tx, { orgId: user.orgId, id, actor, input, ip }));
    return { ok: true, message: `Rotated: ${secret.name} is now at version ${secret.currentVersion}. New leases resolve to the new value.` };
  }, fd);
}

/** A leaked secret: revoke its leases and rotate it, in one transaction (lib/secrets/rotate-and-revoke-secret.ts). */
export async function rotateAndRevokeAction(_prev: FormState, fd: FormData): Promise<FormState> {
  // Rotating needs catalogue:write; the lease sweep inside needs leases:revoke, which every
  // role with catalogue:write has (lib/auth/roles.ts).
  return runAction("catalogue:write", "rotate and revoke secret", async ({ user, actor, ip }) => {
    const input = rotateAndRevokeFormSchema.parse({ id: text(fd, "id"), value: raw(fd, "value"), reason: text(fd, "reason") });
    const result = await transaction(prisma, (tx) => rotateAndRevokeSecret(tx, { orgId: user.orgId, actor, ip, ...input }));
    const bots = result.bots.map((b) => (b.frozen ? `${b.name} (frozen)` : b.name));
    return {
      ok: true,
      message: `${result.name} is now at version ${result.version}; ${result.revoked} lease${result.revoked === 1 ? "" : "s"} revoked. ${
        bots.length ? `Next leases of ${bots.join(", ")} get the new version.` : "No bot holds a grant on it."
      }`,
      data: { bots: result.bots, revoked: result.revoked, version: result.version },
    };
  }, fd);
}

export async function updateSecretMetadataAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("catalogue:write", "update secret", async ({ user, actor, ip }) => {
    const id = idSchema("sec").parse(text(fd, "id"));
    // Only the fields sent: an omitted one (tags!) is left as it is, never cleared.
    const input = updateSecretSchema.parse(secretMetadataInput(fd));
    await auditingCoverageRefusals(prisma, () => transaction(prisma, (tx) => updateSecret(tx, { orgId: user.orgId, id, actor, input, ip })));
    return { ok: true, message: "Saved." };
  }, fd);
}

export async function deleteSecretAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const state = await runAction("catalogue:write", "delete secret", async ({ user, actor, ip }) => {
    // The dialog disables its button until the name is typed; this is the check that counts.
    const { id, confirm } = deleteSecretFormSchema.parse({ id: text(fd, "id"), confirm: text(fd, "confirm") });
    const result = await auditingCoverageRefusals(prisma, () => transaction(prisma, (tx) => deleteSecret(tx, { orgId: user.orgId, id, actor, ip, confirmName: confirm })));
    return { ok: true, message: `Deleted; ${result.leasesRevoked} active leases revoked, ${result.grantsRemoved} grants removed.` };
  });
  if (state.ok && text(fd, "redirect") === "1") redirect("/catalogue");
  return state;
}
