// Seeding for the bench. Orgs, users, tokens, secrets, bots and grants go through the
// same lib/ domain functions as the API (so they carry their audit events); the bulk
// rows the scale tests need (tens of thousands of leases, a million audit events)
// are generated in SQL, because issuing them one by one would take the whole budget.
import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import pg from "pg";
import type { PrismaClient } from "../../lib/db/prisma";
import { transaction } from "../../lib/db/prisma";
import { SYSTEM_ACTOR, type Actor } from "../../lib/audit/record-audit-event";
import { createOrganization } from "../../lib/orgs/create-organization";
import { createUser } from "../../lib/users/create-user";
import { createApiToken } from "../../lib/api-tokens/create-api-token";
import { createBot } from "../../lib/bots/create-bot";
import { createSecret } from "../../lib/secrets/create-secret";
import { createGrant } from "../../lib/grants/create-grant";

const hex = (n: number) => randomBytes(n).toString("hex");
const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

export interface SeededOrg {
  orgId: string;
  adminToken: string;
  actor: Actor;
}

export async function seedOrg(db: PrismaClient, label: string): Promise<SeededOrg> {
  const slug = `bench-${label}-${hex(3)}`;
  return transaction(db, async (tx) => {
    const org = await createOrganization(tx, { name: slug, slug });
    const user = await createUser(tx, { orgId: org.id, email: `${slug}@bench.test`, password: "bench password, not secret", role: "owner", actor: SYSTEM_ACTOR });
    const { token } = await createApiToken(tx, { orgId: org.id, userId: user.id, name: "bench", actor: SYSTEM_ACTOR });
    return { orgId: org.id, adminToken: token, actor: { type: "user" as const, id: user.id } };
  });
}

export interface SeededBot {
  botId: string;
  token: string;
  secretId: string;
  secret: string;
}

/** `bots` bots, each granted one of `secrets` secrets (scope production), round robin. */
export async function seedBotsAndSecrets(db: PrismaClient, org: SeededOrg, bots: number, secrets: number): Promise<SeededBot[]> {
  const made: { id: string; name: string }[] = [];
  for (let i = 0; i < secrets; i++) {
    const name = `BENCH_KEY_${i}`;
    const s = await transaction(db, (tx) =>
      createSecret(tx, { orgId: org.orgId, actor: org.actor, input: { name, scope: "production", description: "bench", tags: [], value: `bench-value-${i}-${hex(16)}` } }),
    );
    made.push({ id: s.id, name });
  }
  const out: SeededBot[] = [];
  // A few at a time: each is its own transaction, all serialised on the org's audit head anyway.
  for (let i = 0; i < bots; i += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, bots - i) }, async (_, j) => {
        const k = i + j;
        const secret = made[k % made.length];
        const { bot, token } = await transaction(db, (tx) => createBot(tx, { orgId: org.orgId, actor: org.actor, input: { name: `bench-bot-${k}`, description: "" } }));
        await transaction(db, (tx) => createGrant(tx, { orgId: org.orgId, actor: org.actor, input: { botId: bot.id, secretId: secret.id, singleUseOnly: false } }));
        return { botId: bot.id, token, secretId: secret.id, secret: secret.name };
      }),
    );
    out.push(...batch);
  }
  return out;
}

/**
 * Active leases inserted directly (no lease.granted events: they only feed the resolve
 * and pgbench measurements). Writes "id token" lines to `file` when given.
 */
export async function insertLeases(pool: pg.Pool, orgId: string, bots: SeededBot[], count: number, opts: { singleUse: boolean; file?: string }) {
  const lines: string[] = [];
  for (let start = 0; start < count; start += 10_000) {
    const n = Math.min(10_000, count - start);
    const ids: string[] = [], botIds: string[] = [], secretIds: string[] = [], names: string[] = [], hashes: string[] = [];
    for (let i = 0; i < n; i++) {
      const b = bots[(start + i) % bots.length];
      const id = `lse_${hex(12)}`;
      const token = `rvl_${randomBytes(32).toString("base64url")}`;
      ids.push(id); botIds.push(b.botId); secretIds.push(b.secretId); names.push(b.secret); hashes.push(sha256(token));
      lines.push(`${id} ${token}`);
    }
    await pool.query(
      `INSERT INTO "Lease" ("id","orgId","botId","secretId","secretName","scope","tokenHash","justification","singleUse","ttlSeconds","expiresAt")
       SELECT id, $1, b, s, nm, 'production', h, 'Nightly reconciliation of the ledger (bench)', $7, 3600, now() + interval '1 hour'
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(id, b, s, nm, h)`,
      [orgId, ids, botIds, secretIds, names, hashes, opts.singleUse],
    );
  }
  if (opts.file) writeFileSync(opts.file, lines.join("\n") + "\n");
  return lines.map((l) => l.split(" ") as [string, string]);
}

/** `count` active leases for one bot and secret, generated in SQL (the revoke-all test). */
export async function insertBulkLeases(pool: pg.Pool, orgId: string, bot: SeededBot, count: number) {
  await pool.query(
    `INSERT INTO "Lease" ("id","orgId","botId","secretId","secretName","scope","tokenHash","justification","singleUse","ttlSeconds","expiresAt")
     SELECT 'lse_' || substr(md5(g::text || $5), 1, 24), $1, $2, $3, $4, 'production', md5(g::text || $5) || md5($5 || g::text),
            'Bulk lease for the revoke-all benchmark', false, 3600, now() + interval '1 hour'
       FROM generate_series(1, $6::int) AS g`,
    [orgId, bot.botId, bot.secretId, bot.secret, hex(8), count],
  );
}

export const TIMELINE = {
  bots: 50,
  secrets: 100,
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

export const timelineBot = (i: number) => `bot_${i.toString(16).padStart(24, "0")}`;
export const timelineSecret = (i: number) => `sec_${i.toString(16).padStart(24, "0")}`;

/**
 * `count` audit events for one org, spread evenly over the last 90 days, in chunks.
 * Triggers are off for the session (session_replication_role = replica): the rows are
 * inserted, never updated, and the per-row NOTIFY would only flood the queue. The rows
 * do not form a valid hash chain; this org is only read (timeline and export), never verified.
 */
export async function insertTimeline(adminPool: pg.Pool, orgId: string, count: number, onChunk?: (done: number) => void) {
  const client = await adminPool.connect();
  try {
    await client.query("SET session_replication_role = replica");
    const phrases = PHRASES.map((p) => p.replace(/'/g, "''"));
    const chunk = 250_000;
    for (let start = 1; start <= count; start += chunk) {
      const end = Math.min(count, start + chunk - 1);
      await client.query(
        `INSERT INTO "AuditEvent" ("id","orgId","type","actorType","actorId","botId","secretId","secretName","scope","secretVersion","leaseId",
                                   "justification","outcome","reason","ip","data","createdAt","prevHash","hash")
         SELECT 'evt_f' || lpad(to_hex(g), 23, '0'), $1, t.type, 'bot', b.id, b.id, s.id, 'KEY_' || s.n, 'production', 1,
                'lse_f' || lpad(to_hex(g), 23, '0'),
                CASE WHEN t.type LIKE 'lease.%' THEN
                  CASE WHEN g % ${TIMELINE.rareEvery} = 0 THEN 'Urgent: ${TIMELINE.rare} (run ' || g || ')'
                       ELSE (ARRAY['${phrases.join("','")}'])[1 + g % ${PHRASES.length}] || ' (run ' || g || ')' END END,
                CASE WHEN t.type IN ('lease.denied', 'lease.resolve_denied') THEN 'denied'::"Outcome" ELSE 'success'::"Outcome" END,
                CASE WHEN t.type = 'lease.denied' THEN 'permission_denied' END,
                '10.0.' || (g % 250) || '.' || (g % 199),
                CASE WHEN t.type = 'lease.granted' THEN jsonb_build_object('ttlSeconds', 600, 'singleUse', true, 'clamped', false) END,
                now() - interval '90 days' + (g::float8 / $2) * interval '90 days',
                md5(g::text) || md5('p' || g), md5('h' || g) || md5(g || 'h')
           FROM generate_series($3::bigint, $4::bigint) AS g
           CROSS JOIN LATERAL (SELECT CASE
                    WHEN g % ${TIMELINE.frozenEvery} = 999 THEN 'bot.frozen'
                    WHEN g % 1000 < 400 THEN 'lease.granted'
                    WHEN g % 1000 < 800 THEN 'lease.resolved'
                    WHEN g % 1000 < 880 THEN 'lease.denied'
                    WHEN g % 1000 < 930 THEN 'lease.resolve_denied'
                    WHEN g % 1000 < 970 THEN 'lease.released'
                    ELSE 'secret.rotated' END AS type) t
           CROSS JOIN LATERAL (SELECT 'bot_' || lpad(to_hex((g * 7919) % ${TIMELINE.bots}), 24, '0') AS id) b
           CROSS JOIN LATERAL (SELECT (g * 104729) % ${TIMELINE.secrets} AS n, 'sec_' || lpad(to_hex((g * 104729) % ${TIMELINE.secrets}), 24, '0') AS id) s`,
        [orgId, count, start, end],
      );
      onChunk?.(end);
    }
    await client.query(
      `UPDATE "AuditHead" h SET "lastSeq" = m.seq, "count" = h."count" + $2 FROM (SELECT max(seq) AS seq FROM "AuditEvent" WHERE "orgId" = $1) m WHERE h."orgId" = $1`,
      [orgId, count],
    );
    await client.query(`ANALYZE "AuditEvent"`);
  } finally {
    client.release();
  }
}
