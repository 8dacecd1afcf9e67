// A long audit history for one org (the timeline and export figures), generated in SQL
// because a million events through the app would take the whole budget.
//
// The rows are a valid sealed chain, as the sealer would have written them: per-org
// seq 1..n, prevHash/hash from lib/audit/canonical.ts's canonical text (built here in
// SQL, hashed by a running aggregate), sealedAt = createdAt (never decreasing, spread
// over the month partitions), and a signed checkpoint at #n. So verify passes and the
// server's sealer simply extends the chain with the org's later events.
import pg from "pg";
import { getKeyProvider } from "../../lib/crypto/key-provider";
import { GENESIS_HASH } from "../../lib/audit/canonical";
import { signCheckpoint } from "../../lib/audit/checkpoint-signature";
import { getAnchorFile } from "../../lib/audit/anchor-file";
import { sealLockKey } from "../../lib/audit/seal-audit-chain";

export const TIMELINE = {
  bots: 50,
  secrets: 100,
  days: 90,
  common: "month-end close",
  rare: "forensic replay of ledger anomaly",
  rareEvery: 10_007,
  frozenEvery: 1_000,
};
const PHRASES = [
  "Reconcile unpaid invoices before month-end close",
  "Nightly export of the ledger to the warehouse",
  "Rotate the payment provider webhook",
  "Sync customer records with the CRM",
  "Send the weekly payout report",
  "Refresh exchange rates for quotes",
  "Investigate failed card payments",
  "Backfill tax codes for new products",
  "Archive closed support tickets",
  "Monthly usage billing run",
];
// lease.granted's data as canonicalEvent writes it (keys sorted, no spaces).
const GRANTED_DATA = '{"clamped":false,"singleUse":true,"ttlSeconds":600}';

export const timelineBot = (i: number) => `bot_${i.toString(16).padStart(24, "0")}`;
export const timelineSecret = (i: number) => `sec_${i.toString(16).padStart(24, "0")}`;

// A running sha256 chain: state = sha256(previous || '\n' || canonical), starting at `start`.
const CHAIN_AGGREGATE = [
  `CREATE OR REPLACE FUNCTION pg_temp.rv_bench_chain_step(state text, canon text, start text) RETURNS text LANGUAGE sql IMMUTABLE
     AS $$ SELECT encode(sha256(convert_to(coalesce(state, start) || E'\\n' || canon, 'UTF8')), 'hex') $$`,
  `CREATE OR REPLACE AGGREGATE pg_temp.rv_bench_chain(text, text) (SFUNC = pg_temp.rv_bench_chain_step, STYPE = text)`,
];

const j = (expr: string) => `coalesce(to_json(${expr})::text, 'null')`;
// canonical.ts's canonicalEvent, field by field (the order is the hash's, not the table's).
const CANONICAL_TEXT = ["id", "orgId", "type", "actorType", "actorId", "botId", "secretId", "secretName", "scope", "secretVersion",
  "leaseId", "justification", "outcome", "reason", "ip"];
const CANONICAL = `'["rv-audit/v1",' || ${CANONICAL_TEXT.map((c) => j(`e."${c}"`)).join(" || ',' || ")}
  || ',' || coalesce(e.data_text, 'null') || ',' || to_json(to_char(e."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text || ']'`;

const phrases = PHRASES.map((p) => `'${p.replace(/'/g, "''")}'`).join(",");
// $1 org, $2 count, $3 first g, $4 last g, $5 the hash before $3, $6 the newest createdAt.
const CHUNK_SQL = `
  INSERT INTO "AuditEvent" ("orgId", "seq", "id", "type", "actorType", "actorId", "botId", "secretId", "secretName", "scope",
                            "secretVersion", "leaseId", "justification", "outcome", "reason", "ip", "data", "createdAt",
                            "sealedAt", "prevHash", "hash")
  SELECT "orgId", g, id, type, "actorType", "actorId", "botId", "secretId", "secretName", scope, "secretVersion", "leaseId",
         justification, outcome, reason, ip, data_text::jsonb, "createdAt", "createdAt",
         coalesce(lag(h) OVER (ORDER BY g), $5::text), h
    FROM (SELECT e.*, pg_temp.rv_bench_chain(${CANONICAL}, $5::text) OVER (ORDER BY g ROWS UNBOUNDED PRECEDING) AS h
            FROM (SELECT g, 'evt_f' || lpad(to_hex(g), 23, '0') AS id, $1::text AS "orgId", t.type, 'bot'::"ActorType" AS "actorType",
                         b.id AS "actorId", b.id AS "botId", s.id AS "secretId", 'KEY_' || s.n AS "secretName", 'production' AS scope,
                         1 AS "secretVersion", 'lse_f' || lpad(to_hex(g), 23, '0') AS "leaseId",
                         CASE WHEN t.type LIKE 'lease.%' THEN
                           CASE WHEN g % ${TIMELINE.rareEvery} = 0 THEN 'Urgent: ${TIMELINE.rare} (run ' || g || ')'
                                ELSE (ARRAY[${phrases}])[1 + g % ${PHRASES.length}] || ' (run ' || g || ')' END END AS justification,
                         CASE WHEN t.type IN ('lease.denied', 'lease.resolve_denied') THEN 'denied'::"Outcome" ELSE 'success'::"Outcome" END AS outcome,
                         CASE WHEN t.type = 'lease.denied' THEN 'permission_denied' END AS reason,
                         '10.0.' || (g % 250) || '.' || (g % 199) AS ip,
                         CASE WHEN t.type = 'lease.granted' THEN '${GRANTED_DATA}' END AS data_text,
                         date_trunc('milliseconds', $6::timestamp - interval '${TIMELINE.days} days' * (1 - g::float8 / $2)) AS "createdAt"
                    FROM generate_series($3::bigint, $4::bigint) AS g
                    CROSS JOIN LATERAL (SELECT CASE
                             WHEN g % ${TIMELINE.frozenEvery} = 999 THEN 'bot.frozen'
                             WHEN g % 1000 < 400 THEN 'lease.granted'
                             WHEN g % 1000 < 800 THEN 'lease.resolved'
                             WHEN g % 1000 < 880 THEN 'lease.denied'
                             WHEN g % 1000 < 930 THEN 'lease.resolve_denied'
                             WHEN g % 1000 < 970 THEN 'lease.released'
                             ELSE 'secret.rotated' END AS type OFFSET 0) t
                    CROSS JOIN LATERAL (SELECT 'bot_' || lpad(to_hex((g * 7919) % ${TIMELINE.bots}), 24, '0') AS id) b
                    CROSS JOIN LATERAL (SELECT (g * 104729) % ${TIMELINE.secrets} AS n,
                                               'sec_' || lpad(to_hex((g * 104729) % ${TIMELINE.secrets}), 24, '0') AS id) s
                  -- OFFSET 0: each row's values are computed once, not once per reference.
                  OFFSET 0) e) c`;

/**
 * `count` sealed events for one org, spread evenly over the last 90 days, then its signed
 * checkpoint. The org must have no sealed events yet: seed it before any sealer runs
 * (its own creation events stay pending and are sealed after the history). Holds the
 * org's sealer lock meanwhile, so no sealer can interleave.
 */
export async function insertTimeline(adminPool: pg.Pool, orgId: string, count: number, onChunk?: (done: number) => void) {
  const client = await adminPool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [sealLockKey(orgId)]);
    const sealed = await client.query(`SELECT 1 FROM "AuditCheckpoint" WHERE "orgId" = $1 UNION ALL SELECT 1 FROM "AuditEvent" WHERE "orgId" = $1 LIMIT 1`, [orgId]);
    if (sealed.rowCount) throw new Error("insertTimeline: the org already has sealed events; seed its history before any sealer runs");
    const newest = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString();
    await client.query(
      `SELECT rv_audit_ensure_partition(m) FROM generate_series(date_trunc('month', $1::timestamp - interval '${TIMELINE.days} days'), $1::timestamp, interval '1 month') AS m`,
      [newest],
    );
    for (const sql of CHAIN_AGGREGATE) await client.query(sql);
    // The running hash is a window over the whole chunk: keep it in memory.
    await client.query(`SET work_mem = '256MB'`);
    let hash = GENESIS_HASH;
    const chunk = 250_000;
    for (let start = 1; start <= count; start += chunk) {
      const end = Math.min(count, start + chunk - 1);
      await client.query(CHUNK_SQL, [orgId, count, start, end, hash, newest]);
      hash = (await client.query(`SELECT hash FROM "AuditEvent" WHERE "orgId" = $1 AND seq = $2`, [orgId, end])).rows[0].hash;
      onChunk?.(end);
    }
    const seq = BigInt(count);
    const signature = signCheckpoint(getKeyProvider(), { orgId, seq, hash });
    const signedAt = new Date();
    await client.query(
      `INSERT INTO "AuditCheckpoint" ("orgId", "seq", "hash", "signature", "signedAt", "sealedAt") VALUES ($1, $2, $3, $4, $5, $6)`,
      [orgId, String(seq), hash, signature, signedAt.toISOString(), newest],
    );
    await getAnchorFile()?.record({ orgId, seq, hash, signature, signedAt: signedAt.toISOString() });
    // The state autovacuum leaves a freshly loaded table in. This machine's PostgreSQL runs
    // with autovacuum off; without it every text search also scans the bulk load's GIN
    // pending lists, one per month partition (the rare-text page: ~70 ms p50 instead of ~12).
    await client.query(`VACUUM (ANALYZE) "AuditEvent"`);
  } finally {
    await client.query(`RESET work_mem; SELECT pg_advisory_unlock_all()`).catch(() => {});
    client.release();
  }
}
