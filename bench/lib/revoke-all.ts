// Revoke-all over many active leases (an incident), then a resolve on the other instance.
import type pg from "pg";
import type { PrismaClient } from "../../lib/db/prisma";
import { httpJson } from "./http";
import * as seed from "./seed";
import type { Target } from "./targets";

export async function measureRevokeAll(db: PrismaClient, pool: pg.Pool, a: string, b: string, leases: number) {
  const rorg = await seed.seedOrg(db, "revoke");
  const [rbot] = await seed.seedBotsAndSecrets(db, rorg, 1, 1);
  await seed.insertBulkLeases(pool, rorg.orgId, rbot, leases - 1);
  const live = await httpJson("POST", `${a}/api/leases`, rbot.token, { secret: rbot.secret, scope: "production", justification: "The lease an incident must kill (bench)" });
  await pool.query(`ANALYZE "Lease"`);
  const active = Number((await pool.query(`SELECT count(*) FROM "Lease" WHERE "orgId" = $1 AND status = 'active'`, [rorg.orgId])).rows[0].count);
  const revoke = await httpJson("POST", `${a}/api/v1/leases/revoke`, rorg.adminToken, { all: true, reason: "suspected leak (bench)" });
  const after = await httpJson("POST", `${b}/api/leases/${live.body.id}/resolve`, live.body.leaseToken);
  const results = { active, status: revoke.status, revoked: revoke.body?.revoked, seconds: revoke.ms / 1000, resolveAfter: { status: after.status, code: after.body?.error?.code } };
  const group = "revocation";
  const targets: Target[] = [
    {
      group, name: `revoke-all over ${active.toLocaleString("en")} active leases`, wanted: "≤ 5 s", baseline: "–",
      measured: `${(revoke.ms / 1000).toFixed(2)} s (${revoke.body?.revoked} revoked)`,
      ok: revoke.status === 200 && revoke.ms <= 5000 && revoke.body?.revoked === active,
      note: revoke.ms > 5000 ? `${((revoke.ms - 5000) / 1000).toFixed(2)} s over` : undefined,
    },
    { group, name: "resolve right after revoke-all (other instance)", wanted: "410 lease_revoked", baseline: "–", measured: `${after.status} ${after.body?.error?.code ?? ""}`, ok: after.status === 410 && after.body?.error?.code === "lease_revoked" },
  ];
  return { results, targets };
}
