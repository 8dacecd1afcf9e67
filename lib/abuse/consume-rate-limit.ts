// Fixed-window counters in PostgreSQL, so every app instance shares one budget.
// One statement bumps all of a request's buckets at once; on the bot API that
// statement also authenticates (lib/abuse/count-bot-request.ts).
import type pg from "pg";
import { sqlPool, type PrismaClient } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { appendAuditEvent } from "@/lib/audit/record-audit-event";

export const WINDOW_SECONDS = 60;

export interface Bucket {
  key: string;
  limit: number;
}

export interface BucketState extends Bucket {
  count: number;
}

export function windowStartOf(now: Date): Date {
  return new Date(Math.floor(now.getTime() / (WINDOW_SECONDS * 1000)) * WINDOW_SECONDS * 1000);
}

/** Old windows are useless; trim them now and then rather than on every request. */
export function trimOldWindowsSometimes(sql: pg.Pool, windowStart: Date) {
  if (Math.random() < 0.002) {
    sql.query(`DELETE FROM "RateLimitBucket" WHERE "windowStart" < $1::timestamp(3)`, [new Date(windowStart.getTime() - 10 * 60_000).toISOString()]).catch(() => {});
  }
}

/**
 * The one counter update, as the body of a CTE returning ("key", "count"): adds one to
 * each bucket named in the SQL array `keys` (nulls skipped) for the window `windowStart`,
 * when `condition` holds. ON CONFLICT makes concurrent bumps add up.
 */
export function bumpBucketsSql(keys: string, windowStart: string, condition = "true"): string {
  return `INSERT INTO "RateLimitBucket" ("key", "windowStart", "count")
    SELECT k, ${windowStart}::timestamp(3), 1 FROM unnest(${keys}) AS k WHERE k IS NOT NULL AND ${condition}
    ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateLimitBucket"."count" + 1
    RETURNING "key", "count"`;
}

const BUMP_SQL = `WITH rl AS (${bumpBucketsSql("$1::text[]", "$2")}) SELECT "key", "count" FROM rl`;

export async function bumpBuckets(db: PrismaClient, buckets: Bucket[], now = new Date()): Promise<{ windowStart: Date; states: BucketState[] }> {
  const windowStart = windowStartOf(now);
  const sql = sqlPool(db);
  const { rows } = await sql.query<{ key: string; count: number }>({ name: "rv_bump_buckets", text: BUMP_SQL, values: [buckets.map((b) => b.key), windowStart.toISOString()] });
  const counts = new Map(rows.map((r) => [r.key, Number(r.count)]));
  trimOldWindowsSometimes(sql, windowStart);
  return { windowStart, states: buckets.map((b) => ({ ...b, count: counts.get(b.key) ?? 1 })) };
}

export interface RefusalContext {
  /** Org to record the refusal in; unknown for unauthenticated callers. */
  orgId?: string | null;
  botId?: string | null;
  /** The admin refused (admin API and web session); recorded as the actor. */
  userId?: string | null;
  ip?: string | null;
  route: string;
}

export interface EnforceOptions extends RefusalContext {
  buckets: Bucket[];
}

/**
 * Throws 429 with Retry-After when any bucket is over its limit. The refusal is
 * audited once per bucket per window — on the first request over the limit — so a
 * flood cannot turn the audit trail into the attack.
 */
export async function refuseOverLimit(db: PrismaClient, states: BucketState[], { orgId, botId, userId, ip, route }: RefusalContext, now = new Date()) {
  const over = states.filter((s) => s.count > s.limit);
  if (over.length === 0) return;
  const windowStart = windowStartOf(now);
  const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + WINDOW_SECONDS * 1000 - now.getTime()) / 1000));
  const firstOver = over.filter((s) => s.count === s.limit + 1);
  if (orgId && firstOver.length > 0) {
    await appendAuditEvent(sqlPool(db), {
      orgId,
      type: "rate_limit.exceeded",
      actor: botId ? { type: "bot", id: botId } : userId ? { type: "user", id: userId } : { type: "system", id: null },
      botId: botId ?? null,
      outcome: "denied",
      reason: `rate_limited: more than ${firstOver[0].limit} requests per minute`,
      ip: ip ?? null,
      data: { route, buckets: firstOver.map((s) => s.key.split(":").slice(0, 2).join(":")), windowStart: windowStart.toISOString() },
    });
  }
  throw new ApiError("rate_limited", "Too many requests; retry after the Retry-After interval", {}, { "retry-after": String(retryAfter) });
}

export async function enforceRateLimits(db: PrismaClient, { buckets, ...context }: EnforceOptions, now = new Date()) {
  const { states } = await bumpBuckets(db, buckets, now);
  await refuseOverLimit(db, states, context, now);
}
