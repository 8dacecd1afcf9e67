import type { Prisma } from "@/lib/generated/prisma/client";
import { getKeyProvider, type KeyProvider } from "@/lib/crypto/key-provider";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { newId } from "@/lib/ids";
import type { CreateSecretInput } from "@/lib/validations/secret";
import { secretSelect } from "./select";
import { storeSecretVersion } from "./store-secret-version";

export interface CreateSecretOptions {
  orgId: string;
  actor: Actor;
  input: CreateSecretInput;
  ip?: string | null;
  keys?: KeyProvider;
}

/** Adds a secret at version 1. The value goes in sealed and never comes back out here. */
export async function createSecret(tx: Prisma.TransactionClient, { orgId, actor, input, ip, keys = getKeyProvider() }: CreateSecretOptions) {
  const id = newId("sec");
  const secret = await tx.secret.create({
    data: { id, orgId, name: input.name, scope: input.scope, description: input.description, tags: input.tags, currentVersion: 1 },
    select: secretSelect,
  });
  await storeSecretVersion(tx, { orgId, secretId: id, version: 1, value: input.value, createdBy: actor.id ?? actor.type, keys });
  await recordAuditEvent(tx, {
    orgId,
    type: "secret.created",
    actor,
    secretId: id,
    secretName: secret.name,
    scope: secret.scope,
    secretVersion: 1,
    ip,
  });
  return secret;
}
