// Admin API and web-session requests spend budgets too: the user's (token or session
// alike) and the address's. Unknown admin tokens spend the address's, so guessing
// them is limited as well.
import type { PrismaClient } from "@/lib/db/prisma";
import { enforceRateLimits, type Bucket } from "./consume-rate-limit";
import { rateLimitsFromEnv, type RateLimits } from "./limits";

export interface CountAdminRequestOptions {
  /** The signed-in or token-bearing user; null when the caller is not known. */
  user: { userId: string; orgId: string } | null;
  ip: string | null;
  route: string;
  limits?: RateLimits;
  now?: Date;
}

/** Throws 429 (audited once per window, in the user's org) past either budget. */
export async function countAdminRequest(db: PrismaClient, { user, ip, route, limits = rateLimitsFromEnv(), now = new Date() }: CountAdminRequestOptions) {
  const buckets: Bucket[] = [];
  if (user) buckets.push({ key: `user:${user.userId}`, limit: limits.adminPerMinute });
  if (ip) buckets.push({ key: `ip:${ip}`, limit: limits.ipPerMinute });
  if (buckets.length === 0) return;
  await enforceRateLimits(db, { buckets, orgId: user?.orgId, userId: user?.userId, ip, route }, now);
}
