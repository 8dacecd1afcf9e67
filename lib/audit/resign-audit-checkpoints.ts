// After a master key rotation, move every checkpoint's signature onto the current key,
// so the chains still verify once the old key is retired. A checkpoint whose signature
// no configured key accepts is left as it is and reported: that is tampering. (The
// signatures stored on sealed events stay as they were: those rows are append-only, and
// verify reads the checkpoint row and the anchor, not them.)
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { KeyProvider } from "@/lib/crypto/key-provider";
import { checkpointSignatureValid, signCheckpoint } from "./checkpoint-signature";

export async function resignAuditCheckpoints(db: PrismaClient, keys: KeyProvider): Promise<{ resigned: number; invalid: string[] }> {
  const checkpoints = await db.auditCheckpoint.findMany({ select: { orgId: true, seq: true, hash: true, signature: true } });
  let resigned = 0;
  const invalid: string[] = [];
  for (const checkpoint of checkpoints) {
    if (!checkpointSignatureValid(keys, checkpoint)) {
      invalid.push(checkpoint.orgId);
      continue;
    }
    const signature = signCheckpoint(keys, checkpoint);
    if (signature === checkpoint.signature) continue;
    // Only if the signer has not moved it meanwhile (it signs with the current key anyway).
    const { count } = await db.auditCheckpoint.updateMany({ where: { orgId: checkpoint.orgId, signature: checkpoint.signature }, data: { signature } });
    resigned += count;
  }
  return { resigned, invalid };
}
