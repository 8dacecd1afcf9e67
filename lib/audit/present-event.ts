/** The columns the chain hash covers (ChainedFields, less the org, which every query names). */
export const chainedFieldsSelect = {
  id: true,
  type: true,
  actorType: true,
  actorId: true,
  botId: true,
  secretId: true,
  secretName: true,
  scope: true,
  secretVersion: true,
  leaseId: true,
  justification: true,
  outcome: true,
  reason: true,
  ip: true,
  data: true,
  createdAt: true,
} as const;

export const auditEventSelect = { seq: true, ...chainedFieldsSelect, prevHash: true, hash: true } as const;

/** JSON has no bigint; sequence numbers stay far below 2^53. */
export function presentEvent<T extends { seq: bigint }>(event: T) {
  return { ...event, seq: Number(event.seq) };
}
