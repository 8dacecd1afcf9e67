import type { LeaseStatus } from "@/lib/generated/prisma/enums";

export type EffectiveLeaseStatus = LeaseStatus | "expired";

/** "expired" is not stored: an active lease past its expiry is expired. */
export function effectiveStatus(lease: { status: LeaseStatus; expiresAt: Date }, now = new Date()): EffectiveLeaseStatus {
  return lease.status === "active" && lease.expiresAt <= now ? "expired" : lease.status;
}

export const leaseSelect = {
  id: true,
  botId: true,
  secretId: true,
  secretName: true,
  scope: true,
  justification: true,
  mount: true,
  tool: true,
  singleUse: true,
  status: true,
  expiresAt: true,
  resolveCount: true,
  lastResolvedAt: true,
  revokedAt: true,
  revokeReason: true,
  createdAt: true,
} as const;

type LeaseRow = { status: LeaseStatus; expiresAt: Date } & Record<string, unknown>;

export function presentLease<T extends LeaseRow>(lease: T, now = new Date()) {
  return { ...lease, status: effectiveStatus(lease, now) };
}
