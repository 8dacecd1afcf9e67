import type { Prisma } from "@/lib/generated/prisma/client";
import type { KeyProvider } from "@/lib/crypto/key-provider";
import { sealValue } from "@/lib/crypto/envelope";
import { newId } from "@/lib/ids";

export interface StoreSecretVersionOptions {
  orgId: string;
  secretId: string;
  version: number;
  value: string;
  createdBy: string;
  keys: KeyProvider;
}

/** Seals `value` under a fresh data key bound to (org, secret, version) and stores it. */
export async function storeSecretVersion(tx: Prisma.TransactionClient, opts: StoreSecretVersionOptions) {
  const sealed = await sealValue(opts.keys, opts.value, opts);
  await tx.secretVersion.create({
    data: {
      id: newId("ver"),
      orgId: opts.orgId,
      secretId: opts.secretId,
      version: opts.version,
      ciphertext: new Uint8Array(sealed.ciphertext),
      wrappedKey: new Uint8Array(sealed.wrappedKey),
      keyId: sealed.keyId,
      createdBy: opts.createdBy,
    },
    select: { id: true },
  });
}
