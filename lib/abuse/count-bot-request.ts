// The bot API's first round trip: find who is calling and count the request against
// their budgets in one statement (the hot path pays per round trip, see bench/RESULTS.md).
// An unknown token still spends the address's budget, so guessing tokens is rate-limited
// too. (A resolve counts inside its own first read: lib/leases/resolve-lease.ts.)
import type pg from "pg";
import type { BotPrincipal } from "@/lib/auth/authenticate-bot";
import { digestsEqual } from "@/lib/crypto/tokens";
import { bumpBucketsSql, trimOldWindowsSometimes, windowStartOf, type BucketState } from "./consume-rate-limit";
import type { RateLimits } from "./limits";

interface Counted {
  states: BucketState[];
  windowStart: Date;
}

// $2 window start, $3 the IP bucket's key (null: none). For an unknown token only the IP
// bucket is counted, and the one row comes back with the bot's columns null.
export const BOT_SQL = `WITH b AS (SELECT "id", "orgId", "name", "frozenAt", "tokenHash" FROM "Bot" WHERE "tokenHash" = $1::text),
  rl AS (${bumpBucketsSql(`ARRAY[(SELECT 'bot:' || "id" FROM b), $3::text]`, "$2")})
SELECT b."id", b."orgId", b."name", b."frozenAt" IS NOT NULL AS "frozen", b."tokenHash",
       (SELECT json_agg(json_build_object('key', "key", 'count', "count")) FROM rl) AS "buckets"
  FROM (SELECT 1) AS one LEFT JOIN b ON true`;

export function bucketStates(buckets: { key: string; count: number }[] | null, limits: RateLimits): BucketState[] {
  return (buckets ?? []).map(({ key, count }) => ({ key, count, limit: key.startsWith("bot:") ? limits.botPerMinute : limits.ipPerMinute }));
}

export interface CountOptions {
  tokenHash: string;
  ip: string | null;
  limits: RateLimits;
  now?: Date;
}

/** The bot owning the `rvb_` token (null if none) and the request's counts. */
export async function countBotRequest(sql: pg.Pool, { tokenHash, ip, limits, now = new Date() }: CountOptions): Promise<Counted & { bot: BotPrincipal | null }> {
  const windowStart = windowStartOf(now);
  const { rows } = await sql.query({ name: "rv_count_bot_request", text: BOT_SQL, values: [tokenHash, windowStart.toISOString(), ip ? `ip:${ip}` : null] });
  trimOldWindowsSometimes(sql, windowStart);
  const row = rows[0];
  const states = bucketStates(row?.buckets ?? null, limits);
  if (!row?.id || !digestsEqual(row.tokenHash, tokenHash)) return { bot: null, states, windowStart };
  return { bot: { id: row.id, orgId: row.orgId, name: row.name, frozen: row.frozen }, states, windowStart };
}
