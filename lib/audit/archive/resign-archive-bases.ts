// After a master key rotation, move every archive base's signature onto the current key
// (as resign-audit-checkpoints.ts does for checkpoints), so the chains still verify once
// the old key is retired. A base whose signature no configured key accepts is left as it
// is and reported: that is tampering.
import type { PrismaClient } from "@/lib/db/prisma";
import type { KeyProvider } from "@/lib/crypto/key-provider";
import { archiveBaseValid, signArchiveBase } from "./archive-base";

export async function resignArchiveBases(db: PrismaClient, keys: KeyProvider): Promise<{ resigned: number; invalid: string[] }> {
  const bases = await db.auditArchive.findMany({ select: { orgId: true, fromSeq: true, throughSeq: true, hash: true, digest: true, signature: true } });
  let resigned = 0;
  const invalid: string[] = [];
  for (const base of bases) {
    if (!archiveBaseValid(keys, base)) {
      invalid.push(`${base.orgId}#${base.throughSeq}`);
      continue;
    }
    const signature = signArchiveBase(keys, base);
    if (signature === base.signature) continue;
    const { count } = await db.auditArchive.updateMany({ where: { orgId: base.orgId, throughSeq: base.throughSeq, signature: base.signature }, data: { signature } });
    resigned += count;
  }
  return { resigned, invalid };
}
