import type { KeyProvider } from "@/lib/crypto/key-provider";

const LABEL = "audit-checkpoint";

export interface ChainState {
  orgId: string;
  seq: bigint;
  hash: string;
  count: bigint;
}

const encode = (c: ChainState) => `rv-audit-checkpoint/v1|${c.orgId}|${c.seq}|${c.hash}|${c.count}`;

export function signCheckpoint(keys: KeyProvider, state: ChainState): string {
  return keys.mac(LABEL, encode(state));
}

export function checkpointSignatureValid(keys: KeyProvider, checkpoint: ChainState & { signature: string }): boolean {
  return checkpoint.signature !== "" && keys.verifyMac(LABEL, encode(checkpoint), checkpoint.signature);
}
