// KEK rotation, second half: after the app runs with the new master key (old ones in
// RV_PREVIOUS_MASTER_KEYS), rewrap every data key still under an old KEK so the old
// keys can be retired. The same moves data keys between providers: from an env key to
// an HSM key ("kek_…" → "p11_…", RV_KEY_PROVIDER=pkcs11 with the env key as previous)
// and back (RV_KEY_PROVIDER=env with the HSM configured). Each batch commits with its
// audit event, so a run cut off (HSM or database away) resumes where it stopped. Only wrappedKey and keyId change: values are not re-encrypted,
// so the ciphertext and its (org, secret, version) binding stay exactly as they were.
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { transaction } from "@/lib/db/prisma";
import { KeyProviderUnavailableError, MasterKeyError, type KeyProvider } from "@/lib/crypto/key-provider";
import { recordAuditEvent, SYSTEM_ACTOR } from "@/lib/audit/record-audit-event";

export interface RewrapOptions {
  /** Versions per transaction; bounds how long each org's audit head stays locked. */
  batchSize?: number;
}

export interface RewrapResult {
  rewrapped: number;
  alreadyCurrent: number;
}

export async function rewrapDataKeys(db: PrismaClient, keys: KeyProvider, opts: RewrapOptions = {}): Promise<RewrapResult> {
  const batchSize = opts.batchSize ?? 100;
  const toKeyId = keys.currentKeyId;
  const alreadyCurrent = await db.secretVersion.count({ where: { keyId: toKeyId } });
  const orgs = await db.secretVersion.findMany({
    where: { keyId: { not: toKeyId } },
    distinct: ["orgId"],
    select: { orgId: true },
    orderBy: { orgId: "asc" },
  });

  let rewrapped = 0;
  // Org by org so each batch's transaction writes its audit event to a single chain.
  for (const { orgId } of orgs) {
    let after = "";
    for (;;) {
      const batch = await transaction(db, async (tx) => {
        const rows = await tx.secretVersion.findMany({
          where: { orgId, keyId: { not: toKeyId }, id: { gt: after } },
          select: { id: true, wrappedKey: true, keyId: true },
          orderBy: { id: "asc" },
          take: batchSize,
        });
        let count = 0;
        for (const row of rows) {
          let dataKey: Buffer;
          try {
            dataKey = await keys.unwrap(Buffer.from(row.wrappedKey), row.keyId);
          } catch (err) {
            if (err instanceof KeyProviderUnavailableError) throw err;
            const hint =
              err instanceof MasterKeyError
                ? row.keyId.startsWith("p11_")
                  ? "; configure that HSM key (RV_PKCS11_MODULE, RV_PKCS11_KEY_LABEL or RV_PKCS11_PREVIOUS_KEY_LABELS…)"
                  : "; add that key to RV_PREVIOUS_MASTER_KEYS"
                : "";
            throw new MasterKeyError(`cannot unwrap the data key of secret version ${row.id} (wrapped by ${row.keyId})${hint}`);
          }
          try {
            const { keyId, wrapped } = await keys.wrap(dataKey);
            // Conditional on the old keyId so a concurrent run never rewraps twice.
            const updated = await tx.secretVersion.updateMany({
              where: { id: row.id, keyId: row.keyId },
              data: { wrappedKey: new Uint8Array(wrapped), keyId },
            });
            count += updated.count;
          } finally {
            dataKey.fill(0);
          }
        }
        if (count > 0) await recordAuditEvent(tx, { orgId, type: "keys.rewrapped", actor: SYSTEM_ACTOR, data: { count, toKeyId } });
        return { count, last: rows.at(-1)?.id, full: rows.length === batchSize };
      });
      rewrapped += batch.count;
      if (!batch.full || !batch.last) break;
      after = batch.last;
    }
  }
  return { rewrapped, alreadyCurrent };
}
