// The bot API's first round trip: find who is calling and count the request against
// their budgets in one statement (the hot path pays per round trip, see bench/RESULTS.md).
// Unknown bot tokens are not counted. (A resolve counts inside its own first read:
// lib/leases/resolve-lease.ts.)
import type pg from "pg";
import type { BotPrincipal } from "@/lib/auth/authenticate-bot";
import { digestsEqual } from "@/lib/crypto/tokens";
import { windowStartOf, type BucketState } from "./consume-rate-limit";
import type { RateLimits } from "./limits";

interface Counted {
  states: BucketState[];
  windowStart: Date;
}

// $2 window start, $3 the IP bucket's key (null: none); ON CONFLICT makes concurrent bumps add up.
export const BOT_SQL = `WITH b AS (SELECT "id", "orgId", "name", "frozenAt", "tokenHash" FROM "Bot" WHERE "tokenHash" = $1::text),
  rl AS (INSERT INTO "RateLimitBucket" ("key", "windowStart", "count")
         SELECT k, $2::timestamp(3), 1 FROM b, unnest(ARRAY['bot:' || b."id", $3::text]) AS k WHERE k IS NOT NULL
         ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateLimitBucket"."count" + 1
         RETURNING "key", "count")
SELECT b."id", b."orgId", b."name", b."frozenAt" IS NOT NULL AS "frozen", b."tokenHash",
       (SELECT json_agg(json_build_object('key', "key", 'count', "count")) FROM rl) AS "buckets"
  FROM b`;

/** Old windows are useless; trim them now and then rather than on every request. */
function maybeTrim(sql: pg.Pool, windowStart: Date) {
  if (Math.random() < 0.002) {
    sql.query(`DELETE FROM "RateLimitBucket" WHERE "windowStart" < $1::timestamp(3)`, [new Date(windowStart.getTime() - 10 * 60_000).toISOString()]).catch(() => {});
  }
}

export function bucketStates(buckets: { key: string; count: number }[] | null, limits: RateLimits): BucketState[] {
  return (buckets ?? []).map(({ key, count }) => ({ key, count, limit: key.startsWith("bot:") ? limits.botPerMinute : limits.ipPerMinute }));
}

export interface CountOptions {
  tokenHash: string;
  ip: string | null;
  limits: RateLimits;
  now?: Date;
}

/** The bot owning the `rvb_` token (null if none) and its request counts. */
export async function countBotRequest(sql: pg.Pool, { tokenHash, ip, limits, now = new Date() }: CountOptions): Promise<Counted & { bot: BotPrincipal | null }> {
  const windowStart = windowStartOf(now);
  const { rows } = await sql.query({ name: "rv_count_bot_request", text: BOT_SQL, values: [tokenHash, windowStart.toISOString(), ip ? `ip:${ip}` : null] });
  maybeTrim(sql, windowStart);
  const row = rows[0];
  if (!row || !digestsEqual(row.tokenHash, tokenHash)) return { bot: null, states: [], windowStart };
  return { bot: { id: row.id, orgId: row.orgId, name: row.name, frozen: row.frozen }, states: bucketStates(row.buckets, limits), windowStart };
}
