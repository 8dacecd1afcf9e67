// Counts what one call costs in database round trips, wrapper included, by counting
// every query any pg client sends (Prisma's and the hot paths' raw SQL alike).
import { createHash } from "node:crypto";
import pg from "pg";
import { createPrismaClient, sqlPool } from "../../lib/db/prisma";
import { countBotRequest } from "../../lib/abuse/count-bot-request";
import { rateLimitsFromEnv } from "../../lib/abuse/limits";
import { requestLease } from "../../lib/leases/request-lease";
import { resolveLease } from "../../lib/leases/resolve-lease";

export async function countRoundTrips(url: string, bot: { token: string; secret: string }) {
  const db = createPrismaClient(url, 2);
  let sent = 0;
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    sent++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    const limits = rateLimitsFromEnv();
    const tokenHash = createHash("sha256").update(bot.token, "utf8").digest("hex");
    const counted = await countBotRequest(sqlPool(db), { tokenHash, ip: "127.0.0.1", limits });
    const lease = (await requestLease(db, { bot: counted.bot!, input: { secret: bot.secret, scope: "production", justification: "Round-trip count (bench)", singleUse: true } })) as { id: string; leaseToken: string };
    const leaseCount = sent;
    sent = 0;
    await resolveLease(db, { leaseId: lease.id, leaseToken: lease.leaseToken, ip: "127.0.0.1", budget: { limits, route: "POST /api/leases/{id}/resolve" } });
    return { lease: leaseCount, resolve: sent };
  } finally {
    pg.Client.prototype.query = original;
    await db.$disconnect();
  }
}
