// An org's archive base: the newest AuditArchive row, the point its chain continues
// from once older months were archived (archive-audit-partitions.ts). Verify and the
// sealer start a full walk there instead of at genesis, so the row must be genuine: its
// HMAC binds org, range, hash and archive digest under a label of its own, so neither a
// checkpoint signature nor any other MAC the vault makes can be passed off as one.
import type { Db } from "@/lib/db/prisma";
import type { KeyProvider } from "@/lib/crypto/key-provider";
import { GENESIS_HASH } from "@/lib/sdk/audit-chain";

const LABEL = "audit-archive-base";

export interface ArchiveBaseFields {
  orgId: string;
  fromSeq: bigint;
  throughSeq: bigint;
  hash: string;
  digest: string;
}

const encode = (b: ArchiveBaseFields) => `rv-audit-archive-base/v1|${b.orgId}|${b.fromSeq}|${b.throughSeq}|${b.hash}|${b.digest}`;

export function signArchiveBase(keys: KeyProvider, base: ArchiveBaseFields): string {
  return keys.mac(LABEL, encode(base));
}

export function archiveBaseValid(keys: KeyProvider, base: ArchiveBaseFields & { signature: string }): boolean {
  return base.signature !== "" && keys.verifyMac(LABEL, encode(base), base.signature);
}

/** Where an org's chain starts in the database: genesis, or its newest archive base. */
export type ChainFloor =
  | { ok: true; seq: bigint; hash: string; archive: { throughSeq: bigint; archivedAt: Date; file: string } | null }
  | { ok: false; brokenAt: bigint; reason: string };

export const GENESIS_FLOOR: ChainFloor = { ok: true, seq: 0n, hash: GENESIS_HASH, archive: null };

export type ArchiveBaseRow = ArchiveBaseFields & { signature: string; archivedAt: Date; file: string };

/** The floor an org's newest archive base row (or none) gives, once its signature is checked. */
export function floorFrom(base: ArchiveBaseRow | null, keys: KeyProvider): ChainFloor {
  if (!base) return GENESIS_FLOOR;
  if (!archiveBaseValid(keys, base)) {
    return { ok: false, brokenAt: base.throughSeq, reason: `the archive base at #${base.throughSeq} has an invalid signature: it was forged or edited` };
  }
  return { ok: true, seq: base.throughSeq, hash: base.hash, archive: { throughSeq: base.throughSeq, archivedAt: base.archivedAt, file: base.file } };
}

export async function chainFloor(db: Db, { orgId, keys }: { orgId: string; keys: KeyProvider }): Promise<ChainFloor> {
  return floorFrom(await db.auditArchive.findFirst({ where: { orgId }, orderBy: { throughSeq: "desc" } }), keys);
}
