// Password sign-in limits, in PostgreSQL so every app instance shares them:
//   - per client address: a fixed one-minute window (RateLimitBucket, key signin:ip:…);
//   - per account: attempts since the last successful sign-in. The first `freeAttempts`
//     are free; from then on each attempt starts a block that doubles (30 s, 1 min, 2 min,
//     … up to 15 min) during which every attempt is refused, the right password included.
// The account key is a hash of the email, member or not, so an unknown email is limited
// exactly like a member's and the answers cannot tell them apart.
//
// An attempt is claimed before the password is checked (one atomic statement), so
// parallel guesses cannot all slip in before the first failure is counted; a success
// clears the account's count.
import { createHash } from "node:crypto";
import { sqlPool, type PrismaClient } from "@/lib/db/prisma";
import { bumpBuckets } from "@/lib/abuse/consume-rate-limit";

export interface SignInLimits {
  /** Password sign-in attempts per client address per minute. */
  ipPerMinute: number;
  /** Attempts per account before backoff starts. */
  freeAttempts: number;
  /** First block; doubles with every further attempt. */
  backoffSeconds: number;
  maxBackoffSeconds: number;
}

const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

export function signInLimitsFromEnv(env: Record<string, string | undefined> = process.env): SignInLimits {
  return {
    ipPerMinute: positive(env.RV_SIGNIN_IP_PER_MIN, 20),
    freeAttempts: positive(env.RV_SIGNIN_FREE_ATTEMPTS, 5),
    backoffSeconds: positive(env.RV_SIGNIN_BACKOFF_SECONDS, 30),
    maxBackoffSeconds: positive(env.RV_SIGNIN_MAX_BACKOFF_SECONDS, 15 * 60),
  };
}

export function accountKey(email: string): string {
  return `signin:acct:${createHash("sha256").update(email.trim().toLowerCase()).digest("hex")}`;
}

export type Refusal = { limit: "ip" | "account"; retryAfterSeconds: number; firstInWindow: boolean };

/** Counts the attempt against the address's window; a refusal when it is over. */
export async function countAddressAttempt(db: PrismaClient, ip: string | null, limits: SignInLimits, now = new Date()): Promise<Refusal | null> {
  if (!ip) return null;
  const { windowStart, states } = await bumpBuckets(db, [{ key: `signin:ip:${ip}`, limit: limits.ipPerMinute }], now);
  const [state] = states;
  if (state.count <= state.limit) return null;
  const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + 60_000 - now.getTime()) / 1000));
  return { limit: "ip", retryAfterSeconds, firstInWindow: state.count === state.limit + 1 };
}

// $1 key, $2 now, $3 free attempts, $4 first block (s), $5 longest block (s). A count
// untouched for a day starts over. Returns no row while the account is blocked.
const NEXT = `CASE WHEN t."updatedAt" < $2::timestamp(3) - interval '1 day' THEN 1 ELSE t."attempts" + 1 END`;
const BLOCK = (n: string) =>
  `CASE WHEN ${n} >= $3 THEN $2::timestamp(3) + make_interval(secs => least($5::float8, $4::float8 * power(2::float8, least(${n} - $3, 30)))) END`;
const CLAIM_SQL = `INSERT INTO "SignInThrottle" AS t ("key", "attempts", "blockedUntil", "updatedAt")
  VALUES ($1, 1, ${BLOCK("1")}, $2::timestamp(3))
  ON CONFLICT ("key") DO UPDATE SET "attempts" = ${NEXT}, "blockedUntil" = ${BLOCK(NEXT)}, "updatedAt" = $2::timestamp(3)
  WHERE t."blockedUntil" IS NULL OR t."blockedUntil" <= $2::timestamp(3)
  RETURNING "attempts"`;

// The refusal of a blocked account; `first` only for the first refusal of each block.
const REFUSED_SQL = `WITH cur AS (SELECT "blockedUntil" FROM "SignInThrottle" WHERE "key" = $1),
  first AS (UPDATE "SignInThrottle" SET "auditedUntil" = "blockedUntil"
             WHERE "key" = $1 AND "blockedUntil" > $2::timestamp(3) AND "auditedUntil" IS DISTINCT FROM "blockedUntil" RETURNING 1)
  SELECT (SELECT extract(epoch FROM "blockedUntil" - $2::timestamp(3))::float8 FROM cur) AS "remaining", EXISTS (SELECT 1 FROM first) AS "first"`;

/** Claims one attempt for the account, or says how long it stays blocked. */
export async function claimAccountAttempt(db: PrismaClient, key: string, limits: SignInLimits, now = new Date()): Promise<Refusal | null> {
  const sql = sqlPool(db);
  const params = [key, now.toISOString(), limits.freeAttempts, limits.backoffSeconds, limits.maxBackoffSeconds];
  const claimed = await sql.query(CLAIM_SQL, params);
  if (Math.random() < 0.01) {
    sql.query(`DELETE FROM "SignInThrottle" WHERE "updatedAt" < $1::timestamp(3) - interval '1 day' AND ("blockedUntil" IS NULL OR "blockedUntil" < $1::timestamp(3))`, [now.toISOString()]).catch(() => {});
  }
  if (claimed.rowCount) return null;
  const { rows } = await sql.query<{ remaining: number | null; first: boolean }>(REFUSED_SQL, [key, now.toISOString()]);
  return { limit: "account", retryAfterSeconds: Math.max(1, Math.ceil(rows[0]?.remaining ?? 1)), firstInWindow: rows[0]?.first === true };
}

/** A successful sign-in: the account's count starts over. */
export async function clearAccountAttempts(db: PrismaClient, key: string) {
  await sqlPool(db).query(`DELETE FROM "SignInThrottle" WHERE "key" = $1`, [key]);
}
