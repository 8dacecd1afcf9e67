// Seeding for the bench. Orgs, users, tokens, secrets, bots and grants go through the
// same lib/ domain functions as the API (so they carry their audit events); the bulk
// leases the scale tests need are generated in SQL, because issuing them one by one
// would take the whole budget (the audit history: seed-timeline.ts).
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
  // A few at a time, each in its own transaction, like concurrent admins.
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
