// The unsealed window (issue 11): how old the oldest recorded-but-unsealed audit event
// is, sampled every ~20 ms while load runs. Each sample is lib/audit/unsealed-tail.ts's
// unsealedTail over every org (now() minus the oldest "AuditPending".createdAt), the
// figure verify reports, so the bench measures what operators see.
import type pg from "pg";
import type { Db } from "../../lib/db/prisma";
import { unsealedTail } from "../../lib/audit/unsealed-tail";

export interface WindowSample {
  ageMs: number;
  pending: number;
}

export interface WindowStats {
  samples: number;
  /** Mean time between samples actually achieved, ms. */
  everyMs: number;
  p50: number;
  p99: number;
  max: number;
  maxPending: number;
}

export function quantile(sorted: number[], q: number) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Samples until stop(); one query at a time, the next ~`everyMs` after the previous started. */
export function sampleUnsealedWindow(db: Db, everyMs = 20) {
  const samples: WindowSample[] = [];
  const started = performance.now();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const t0 = performance.now();
      const tail = await unsealedTail(db);
      samples.push({ ageMs: tail.oldestAgeMs, pending: tail.count });
      const wait = everyMs - (performance.now() - t0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    async stop(): Promise<WindowSample[]> {
      stopped = true;
      await loop;
      return samples;
    },
    elapsedMs: () => performance.now() - started,
  };
}

export function windowStats(samples: WindowSample[], elapsedMs?: number): WindowStats {
  const ages = samples.map((s) => s.ageMs).sort((a, b) => a - b);
  return {
    samples: samples.length,
    everyMs: elapsedMs && samples.length ? elapsedMs / samples.length : NaN,
    p50: quantile(ages, 0.5),
    p99: quantile(ages, 0.99),
    max: ages.at(-1) ?? NaN,
    maxPending: Math.max(0, ...samples.map((s) => s.pending)),
  };
}

/** Runs `fn` with the sampler on; returns its result and the samples taken meanwhile. */
export async function withUnsealedWindow<T>(db: Db, fn: () => Promise<T>): Promise<{ result: T; samples: WindowSample[]; stats: WindowStats }> {
  const sampler = sampleUnsealedWindow(db);
  try {
    const result = await fn();
    const elapsed = sampler.elapsedMs();
    const samples = await sampler.stop();
    return { result, samples, stats: windowStats(samples, elapsed) };
  } finally {
    await sampler.stop();
  }
}

export interface SealLatency {
  events: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * The other side of the window, read afterwards: how long each event recorded between
 * `from` and `to` waited to be sealed (its sealedAt minus its createdAt, both stamped by
 * the app). Call it once the sealer has caught up.
 */
export async function sealLatency(pool: pg.Pool, orgId: string, from: Date, to: Date): Promise<SealLatency> {
  const { rows } = await pool.query(
    `SELECT count(*)::int AS events,
            percentile_disc(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY ms) AS q, max(ms) AS max
       FROM (SELECT EXTRACT(EPOCH FROM "sealedAt" - "createdAt") * 1000 AS ms FROM "AuditEvent"
              WHERE "orgId" = $1 AND "createdAt" >= $2::timestamp AND "createdAt" < $3::timestamp) e`,
    [orgId, from.toISOString(), to.toISOString()],
  );
  const { events, q, max } = rows[0];
  return { events, p50: Math.round(Number(q?.[0] ?? NaN)), p99: Math.round(Number(q?.[1] ?? NaN)), max: Math.round(Number(max ?? NaN)) };
}
