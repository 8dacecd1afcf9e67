/**
 * How long a web session lasts at most, from sign-in, however active it is
 * (RV_SESSION_MAX_HOURS, default 12). The cookie's own expiry slides with use; this does not.
 */
export function sessionMaxAgeSeconds(env: Record<string, string | undefined> = process.env): number {
  const hours = Number(env.RV_SESSION_MAX_HOURS);
  return Math.round((Number.isFinite(hours) && hours > 0 ? Math.min(hours, 24 * 30) : 12) * 3600);
}
