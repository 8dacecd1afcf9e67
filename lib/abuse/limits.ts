// Request budgets per fixed one-minute window, overridable by environment.
export interface RateLimits {
  botPerMinute: number;
  ipPerMinute: number;
  /** Admin API and web-session requests of one user (token or session). */
  adminPerMinute: number;
  /** Wrong lease tokens tolerated from one address on one lease before that address is locked out of it. */
  badLeaseTokens: number;
}

const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

export function rateLimitsFromEnv(env: Record<string, string | undefined> = process.env): RateLimits {
  return {
    botPerMinute: positive(env.RV_RATE_LIMIT_BOT_PER_MIN, 600),
    ipPerMinute: positive(env.RV_RATE_LIMIT_IP_PER_MIN, 3000),
    adminPerMinute: positive(env.RV_RATE_LIMIT_ADMIN_PER_MIN, 600),
    badLeaseTokens: positive(env.RV_LEASE_MAX_BAD_TOKENS, 5),
  };
}
