import type { Prisma } from "@/lib/generated/prisma/client";
import { getKeyProvider, type KeyProvider } from "@/lib/crypto/key-provider";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { ApiError } from "@/lib/api/errors";
import type { UpdateSecretInput } from "@/lib/validations/secret";
import { assertMayRemoveApprovalCoverage } from "@/lib/approvals/approval-coverage";
import { getPolicyOrThrow } from "@/lib/policy/get-policy";
import { secretSelect } from "./select";
import { storeSecretVersion } from "./store-secret-version";

export interface UpdateSecretOptions {
  orgId: string;
  id: string;
  actor: Actor;
  input: UpdateSecretInput;
  ip?: string | null;
  keys?: KeyProvider;
}

/**
 * A new value is a rotation (version + 1; later resolves get it); description/tags are
 * metadata, and a field left out is left as it is. Removing a tag an approval rule
 * names is an owner's decision (lib/approvals/approval-coverage.ts).
 */
export async function updateSecret(tx: Prisma.TransactionClient, { orgId, id, actor, input, ip, keys = getKeyProvider() }: UpdateSecretOptions) {
  // Row lock: two concurrent rotations must not both claim the same version number.
  const locked = await tx.$queryRaw<{ currentVersion: number; name: string; scope: string; tags: string[] }[]>`
    SELECT "currentVersion", "name", "scope", "tags" FROM "Secret" WHERE "id" = ${id} AND "orgId" = ${orgId} FOR UPDATE`;
  if (locked.length === 0) throw new ApiError("not_found", "Secret not found");
  const before = locked[0];
  const tagsChanged = input.tags !== undefined && (input.tags.length !== before.tags.length || input.tags.some((t) => !before.tags.includes(t)));
  const removedTags = input.tags === undefined ? [] : before.tags.filter((t) => !input.tags!.includes(t));
  const { approvalTags } = removedTags.length ? await getPolicyOrThrow(tx, { orgId }) : { approvalTags: [] as string[] };
  const approvalTagsRemoved = removedTags.filter((t) => approvalTags.includes(t));
  if (approvalTagsRemoved.length) {
    await assertMayRemoveApprovalCoverage(tx, {
      orgId,
      actor,
      ip,
      what: `remove the approval tag${approvalTagsRemoved.length === 1 ? "" : "s"} ${approvalTagsRemoved.join(", ")} from a secret`,
      event: { secretId: id, secretName: before.name, scope: before.scope, data: { approvalTagsRemoved } },
    });
  }

  const rotating = input.value !== undefined;
  const version = rotating ? locked[0].currentVersion + 1 : locked[0].currentVersion;
  if (rotating) {
    await storeSecretVersion(tx, { orgId, secretId: id, version, value: input.value!, createdBy: actor.id ?? actor.type, keys });
  }
  const secret = await tx.secret.update({
    where: { id },
    data: {
      ...(rotating ? { currentVersion: version, rotatedAt: new Date() } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.tags !== undefined ? { tags: input.tags } : {}),
    },
    select: secretSelect,
  });
  await recordAuditEvent(tx, {
    orgId,
    type: rotating ? "secret.rotated" : "secret.updated",
    actor,
    secretId: id,
    secretName: secret.name,
    scope: secret.scope,
    secretVersion: version,
    ip,
    data: {
      fields: Object.keys(input).filter((k) => k !== "value" && input[k as keyof UpdateSecretInput] !== undefined),
      ...(tagsChanged ? { tags: { from: before.tags, to: secret.tags } } : {}),
      ...(approvalTagsRemoved.length ? { approvalTagsRemoved } : {}),
    },
  });
  return secret;
}
