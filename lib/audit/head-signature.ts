import type { KeyProvider } from "@/lib/crypto/key-provider";

const LABEL = "audit-head";

export interface HeadState {
  orgId: string;
  lastSeq: bigint;
  hash: string;
  count: bigint;
}

const encode = (h: HeadState) => `rv-audit-head/v1|${h.orgId}|${h.lastSeq}|${h.hash}|${h.count}`;

export function signHead(keys: KeyProvider, head: HeadState): string {
  return keys.mac(LABEL, encode(head));
}

export function headSignatureValid(keys: KeyProvider, head: HeadState & { signature: string }): boolean {
  return head.signature !== "" && keys.verifyMac(LABEL, encode(head), head.signature);
}
