// After a master key rotation, move every audit head's signature onto the current
// key, so the chains still verify once the old key is retired. A head whose
// signature no configured key accepts is left as it is and reported: that is tampering.
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { KeyProvider } from "@/lib/crypto/key-provider";
import { headSignatureValid, signHead } from "./head-signature";

export async function resignAuditHeads(db: PrismaClient, keys: KeyProvider): Promise<{ resigned: number; invalid: string[] }> {
  const heads = await db.auditHead.findMany({ where: { count: { gt: 0 } }, select: { orgId: true, lastSeq: true, hash: true, count: true, signature: true } });
  let resigned = 0;
  const invalid: string[] = [];
  for (const head of heads) {
    if (!headSignatureValid(keys, head)) {
      invalid.push(head.orgId);
      continue;
    }
    const signature = signHead(keys, head);
    if (signature === head.signature) continue;
    // Only if no event was appended meanwhile (an append signs with the current key anyway).
    const { count } = await db.auditHead.updateMany({ where: { orgId: head.orgId, signature: head.signature }, data: { signature } });
    resigned += count;
  }
  return { resigned, invalid };
}
