// How far behind each sink is, read from the database so that every instance sees the
// same figures (whichever instance ships), and the lag alerts: when an org's oldest
// unshipped event at a sink is older than the threshold, one `audit.sink_lagging` event
// (outcome denied) goes into that org's trail; once the sink is back under half the
// threshold, one `audit.sink_recovered`. The flag on the cursor row makes it once per
// outage across restarts and instances: only the instance that flips it records.
import type pg from "pg";
import { appendAuditEvent, SYSTEM_ACTOR } from "../record-audit-event";

export interface OrgLag {
  sink: string;
  orgId: string;
  eventsBehind: number;
  /** Age of the org's oldest sealed event the sink has not confirmed; null when caught up. */
  secondsBehind: number | null;
  lagging: boolean;
}

export interface SinkHealth {
  /** The newest failed attempt and the newest confirmed batch (ms since the epoch, database clock). */
  failedAt: number | null;
  deliveredAt: number | null;
  lastError: string | null;
}

const UTC_NOW = `(now() AT TIME ZONE 'UTC')`;

// Orgs behind at some sink, or flagged as lagging there. The age comes from the first
// unshipped event (the primary key's (orgId, seq) prefix finds it in each partition).
const LAG_SQL = `
  SELECT s."sink", cp."orgId", GREATEST(cp."seq" - COALESCE(c."seq", 0), 0)::text AS "behind",
         c."laggingSince" IS NOT NULL AS "lagging",
         CASE WHEN cp."seq" > COALESCE(c."seq", 0) THEN
           (SELECT extract(epoch FROM ${UTC_NOW} - e."sealedAt")::float8 FROM "AuditEvent" e
             WHERE e."orgId" = cp."orgId" AND e."seq" > COALESCE(c."seq", 0) ORDER BY e."seq" LIMIT 1)
         END AS "age"
    FROM unnest($1::text[]) AS s("sink")
   CROSS JOIN "AuditCheckpoint" cp
    LEFT JOIN "AuditSinkCursor" c ON c."sink" = s."sink" AND c."orgId" = cp."orgId"
   WHERE cp."seq" > COALESCE(c."seq", 0) OR c."laggingSince" IS NOT NULL`;

const HEALTH_SQL = `
  SELECT "sink", (extract(epoch FROM max("failedAt")) * 1000)::float8 AS "failedAt",
         (extract(epoch FROM max("deliveredAt")) * 1000)::float8 AS "deliveredAt",
         (array_agg("lastError" ORDER BY "failedAt" DESC NULLS LAST))[1] AS "lastError"
    FROM "AuditSinkCursor" WHERE "sink" = ANY($1::text[]) GROUP BY "sink"`;

export async function measureSinkLag(sql: pg.Pool, sinks: string[]): Promise<{ orgs: OrgLag[]; health: Map<string, SinkHealth> }> {
  const [lag, health] = await Promise.all([
    sql.query<{ sink: string; orgId: string; behind: string; lagging: boolean; age: number | null }>({ name: "rv_sink_lag", text: LAG_SQL, values: [sinks] }),
    sql.query<{ sink: string; failedAt: number | null; deliveredAt: number | null; lastError: string | null }>({ name: "rv_sink_health", text: HEALTH_SQL, values: [sinks] }),
  ]);
  return {
    orgs: lag.rows.map((r) => ({ sink: r.sink, orgId: r.orgId, eventsBehind: Number(r.behind), secondsBehind: r.age === null ? null : Math.max(0, r.age), lagging: r.lagging })),
    health: new Map(health.rows.map((r) => [r.sink, { failedAt: r.failedAt, deliveredAt: r.deliveredAt, lastError: r.lastError }])),
  };
}

/** The orgs with sealed events this sink has not confirmed. */
export async function orgsBehind(sql: pg.Pool, sink: string): Promise<string[]> {
  const { rows } = await sql.query<{ orgId: string }>({
    name: "rv_sink_behind",
    text: `SELECT cp."orgId" FROM "AuditCheckpoint" cp LEFT JOIN "AuditSinkCursor" c ON c."sink" = $1 AND c."orgId" = cp."orgId"
            WHERE cp."seq" > COALESCE(c."seq", 0)`,
    values: [sink],
  });
  return rows.map((r) => r.orgId);
}

async function inTransaction<T>(sql: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await sql.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Flags the org as lagging at the sink and records audit.sink_lagging, unless it already was. */
export function recordSinkLagging(
  sql: pg.Pool,
  { sink, orgId, eventsBehind, secondsBehind, thresholdSeconds, lastError }: { sink: string; orgId: string; eventsBehind: number; secondsBehind: number; thresholdSeconds: number; lastError: string | null },
): Promise<boolean> {
  return inTransaction(sql, async (client) => {
    const flipped = await client.query({
      text: `INSERT INTO "AuditSinkCursor" ("sink", "orgId", "seq", "updatedAt", "laggingSince") VALUES ($1, $2, 0, ${UTC_NOW}, ${UTC_NOW})
             ON CONFLICT ("sink", "orgId") DO UPDATE SET "laggingSince" = EXCLUDED."laggingSince"
              WHERE "AuditSinkCursor"."laggingSince" IS NULL
             RETURNING 1`,
      values: [sink, orgId],
    });
    if (flipped.rowCount === 0) return false;
    const seconds = Math.round(secondsBehind);
    await appendAuditEvent(client, {
      orgId,
      type: "audit.sink_lagging",
      actor: SYSTEM_ACTOR,
      outcome: "denied",
      reason: `Audit sink "${sink}" is ${seconds} s behind (threshold ${thresholdSeconds} s)${lastError ? `: ${lastError}` : ""}`,
      data: { sink, eventsBehind, secondsBehind: seconds, thresholdSeconds, lastError },
    });
    return true;
  });
}

/** Clears the org's lagging flag at the sink and records audit.sink_recovered, if it was set. */
export function recordSinkRecovered(sql: pg.Pool, { sink, orgId }: { sink: string; orgId: string }): Promise<boolean> {
  return inTransaction(sql, async (client) => {
    const { rows } = await client.query<{ seconds: number }>({
      text: `UPDATE "AuditSinkCursor" c SET "laggingSince" = NULL
               FROM (SELECT "sink", "orgId", "laggingSince" FROM "AuditSinkCursor" WHERE "sink" = $1 AND "orgId" = $2 FOR UPDATE) old
              WHERE c."sink" = old."sink" AND c."orgId" = old."orgId" AND old."laggingSince" IS NOT NULL
             RETURNING extract(epoch FROM ${UTC_NOW} - old."laggingSince")::float8 AS "seconds"`,
      values: [sink, orgId],
    });
    if (rows.length === 0) return false;
    const laggedSeconds = Math.round(rows[0].seconds);
    await appendAuditEvent(client, {
      orgId,
      type: "audit.sink_recovered",
      actor: SYSTEM_ACTOR,
      reason: `Audit sink "${sink}" caught up after ${laggedSeconds} s past the lag threshold`,
      data: { sink, laggedSeconds },
    });
    return true;
  });
}
