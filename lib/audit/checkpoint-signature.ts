import type { KeyProvider } from "@/lib/crypto/key-provider";

const LABEL = "audit-checkpoint";

/** A point of an org's chain: its seq (per org, so also the number of events) and hash. */
export interface ChainState {
  orgId: string;
  seq: bigint;
  hash: string;
}

const encode = (c: ChainState) => `rv-audit-checkpoint/v2|${c.orgId}|${c.seq}|${c.hash}`;

export function signCheckpoint(keys: KeyProvider, state: ChainState): string {
  return keys.mac(LABEL, encode(state));
}

export function checkpointSignatureValid(keys: KeyProvider, checkpoint: ChainState & { signature: string }): boolean {
  return checkpoint.signature !== "" && keys.verifyMac(LABEL, encode(checkpoint), checkpoint.signature);
}
