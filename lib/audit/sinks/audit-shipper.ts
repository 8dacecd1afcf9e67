// The outbox shipper: one loop per configured sink ships each org's sealed events from
// "AuditEvent", in seq order, from the sink's cursor (ship-org-batch.ts). It wakes on
// the sealer's NOTIFY and polls every RV_AUDIT_SINK_POLL_MS besides; a failing sink is
// retried with a doubling backoff (up to the sink's retryMaxMs) while the app keeps
// serving, and catches up when it is back. Every second it measures each sink's lag
// (sink-lag.ts) for /api/health, records the lag alerts, and publishes whether a
// required sink is unreachable, which makes vault reads fail closed (sink-status.ts).
import pg from "pg";
import { describeSinkError, type AuditSink } from "./audit-sink";
import { createSink } from "./create-sink";
import type { SinksConfig, SinkSpec } from "./sink-config";
import { measureSinkLag, orgsBehind, recordSinkLagging, recordSinkRecovered } from "./sink-lag";
import { listenForSeals } from "./seal-notifications";
import { shipOrgBatch } from "./ship-org-batch";
import { publishSinkStatus, type SinksStatus, type SinkStatus } from "./sink-status";

export interface AuditShipper {
  status(): SinksStatus;
  unreachableRequired(): string[];
  /** Measures lag and records alerts now (the background does it every gaugeMs). */
  measure(): Promise<void>;
  stop(): Promise<void>;
}

export interface ShipperOptions {
  databaseUrl: string;
  config: SinksConfig;
  /** Sinks made elsewhere, in the order of config.sinks (tests); made from the config otherwise. */
  sinks?: AuditSink[];
  gaugeMs?: number;
  /** Publish the status for /api/health and the resolve route (the server does). */
  publish?: boolean;
}

const FIRST_BACKOFF_MS = 100;
// Stop waits this long for deliveries in flight; what is cut off is shipped again.
const STOP_GRACE_MS = 3_000;

const log = (msg: string) => console.error(`[runtime-vault] ${msg}`);

class SinkWorker {
  readonly dirty = new Set<string>();
  scan = true;
  private wakeUp: (() => void) | null = null;
  private backoffMs = 0;
  /** The newest attempt's outcome in this process, and when (Date.now()). */
  private local: { ok: boolean; at: number } | null = null;
  readonly state: SinkStatus;
  private running: Promise<void> = Promise.resolve();

  constructor(
    readonly spec: SinkSpec,
    readonly sink: AuditSink,
    private readonly pool: pg.Pool,
    private readonly pollMs: number,
    private readonly isStopped: () => boolean,
  ) {
    this.state = {
      name: spec.name,
      kind: spec.kind,
      required: spec.required,
      reachable: true,
      eventsBehind: 0,
      secondsBehind: 0,
      lagging: false,
      lastError: null,
      lastErrorAt: null,
    };
  }

  start() {
    this.running = this.loop();
  }

  done(): Promise<void> {
    return this.running;
  }

  wake(orgId: string | null) {
    if (orgId) this.dirty.add(orgId);
    else this.scan = true;
    this.wakeUp?.();
  }

  /** Waits `ms`, or less when woken (unless `deaf`), or until stopped. */
  private pause(ms: number, deaf = false): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = null;
        resolve(false);
      }, ms);
      this.wakeUp = () => {
        if (deaf && !this.isStopped()) return;
        clearTimeout(timer);
        this.wakeUp = null;
        resolve(true);
      };
    });
  }

  private async loop() {
    while (!this.isStopped()) {
      if (this.scan) {
        this.scan = false;
        try {
          for (const orgId of await orgsBehind(this.pool, this.spec.name)) this.dirty.add(orgId);
        } catch {
          // The database is away: try again at the next poll.
          this.scan = true;
          await this.pause(this.pollMs, true);
          continue;
        }
      }
      const orgId = this.dirty.values().next().value;
      if (orgId === undefined) {
        if (!(await this.pause(this.pollMs))) this.scan = true;
        continue;
      }
      this.dirty.delete(orgId);
      let result: Awaited<ReturnType<typeof shipOrgBatch>>;
      try {
        result = await shipOrgBatch(this.pool, this.sink, orgId, { batch: this.spec.batch });
      } catch {
        // The database failed, not the sink: the events wait where they are.
        this.dirty.add(orgId);
        await this.pause(Math.max(this.pollMs, 1_000), true);
        continue;
      }
      if (result.ok) {
        this.delivered();
        // Other orgs get their turn before this one's next batch.
        if (result.more) this.dirty.add(orgId);
        continue;
      }
      if (result.busy) continue; // Another instance ships this org to this sink right now.
      this.failed(result.error);
      this.dirty.add(orgId);
      this.scan = true;
      this.backoffMs = Math.min(Math.max(this.backoffMs * 2, FIRST_BACKOFF_MS), this.spec.retryMaxMs);
      await this.pause(this.backoffMs, true);
    }
  }

  private delivered() {
    if (!this.state.reachable) log(`audit sink "${this.spec.name}" delivers again`);
    this.backoffMs = 0;
    this.local = { ok: true, at: Date.now() };
    this.state.reachable = true;
  }

  private failed(error: string) {
    if (this.state.reachable) log(`audit sink "${this.spec.name}" failed: ${error}; events wait and are retried${this.spec.required ? " (required sink: vault reads are refused meanwhile)" : ""}`);
    this.local = { ok: false, at: Date.now() };
    this.state.reachable = false;
    this.state.lastError = error;
    this.state.lastErrorAt = new Date().toISOString();
  }

  /** The shared verdict from the database, unless this process has tried since the measurement began. */
  applyMeasurement(m: { startedAt: number; eventsBehind: number; secondsBehind: number; lagging: boolean; failedAt: number | null; deliveredAt: number | null; lastError: string | null }) {
    this.state.eventsBehind = m.eventsBehind;
    this.state.secondsBehind = Math.round(m.secondsBehind * 10) / 10;
    this.state.lagging = m.lagging;
    if (m.failedAt !== null && m.lastError && (this.state.lastErrorAt === null || m.failedAt > Date.parse(this.state.lastErrorAt))) {
      this.state.lastError = m.lastError;
      this.state.lastErrorAt = new Date(m.failedAt).toISOString();
    }
    if (this.local && this.local.at >= m.startedAt) return;
    // Nothing waiting means nothing to fail on: the sink counts as reachable.
    this.state.reachable = !(m.eventsBehind > 0 && m.failedAt !== null && (m.deliveredAt === null || m.failedAt > m.deliveredAt));
  }
}

export function startAuditShipper({ databaseUrl, config, sinks, gaugeMs = 1_000, publish = false }: ShipperOptions): AuditShipper {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: config.sinks.length + 2, connectionTimeoutMillis: 5_000 });
  // An idle connection whose server went away must not crash the process.
  pool.on("error", () => {});
  let stopped = false;
  const workers = config.sinks.map((spec, i) => new SinkWorker(spec, sinks?.[i] ?? createSink(spec), pool, config.pollMs, () => stopped));
  const names = workers.map((w) => w.spec.name);
  let measuredAt: string | null = null;
  let measuring: Promise<void> | null = null;
  let gaugeTimer: NodeJS.Timeout | null = null;

  const unreachableRequired = () => workers.filter((w) => w.spec.required && !w.state.reachable).map((w) => w.spec.name);
  const status = (): SinksStatus => ({
    mode: config.mode,
    lagAlertSeconds: config.lagAlertSeconds,
    refusingReads: unreachableRequired().length > 0,
    measuredAt,
    sinks: workers.map((w) => ({ ...w.state })),
  });

  async function measureOnce() {
    const startedAt = Date.now();
    const { orgs, health } = await measureSinkLag(pool, names);
    const threshold = config.lagAlertSeconds;
    for (const w of workers) {
      const mine = orgs.filter((o) => o.sink === w.spec.name);
      const h = health.get(w.spec.name);
      let lagging = false;
      for (const o of mine) {
        const age = o.secondsBehind;
        if (age !== null && age > threshold) {
          lagging = true;
          if (!o.lagging) {
            const made = await recordSinkLagging(pool, { sink: w.spec.name, orgId: o.orgId, eventsBehind: o.eventsBehind, secondsBehind: age, thresholdSeconds: threshold, lastError: w.state.lastError ?? h?.lastError ?? null });
            if (made) log(`audit sink "${w.spec.name}" is ${Math.round(age)} s behind for ${o.orgId} (threshold ${threshold} s): recorded audit.sink_lagging`);
          }
        } else if (o.lagging && (age === null || age < threshold / 2)) {
          if (await recordSinkRecovered(pool, { sink: w.spec.name, orgId: o.orgId })) log(`audit sink "${w.spec.name}" caught up for ${o.orgId}: recorded audit.sink_recovered`);
        } else if (o.lagging) {
          lagging = true;
        }
      }
      w.applyMeasurement({
        startedAt,
        eventsBehind: mine.reduce((sum, o) => sum + o.eventsBehind, 0),
        secondsBehind: Math.max(0, ...mine.map((o) => o.secondsBehind ?? 0)),
        lagging,
        failedAt: h?.failedAt ?? null,
        deliveredAt: h?.deliveredAt ?? null,
        lastError: h?.lastError ?? null,
      });
    }
    measuredAt = new Date().toISOString();
  }

  const measure = () =>
    (measuring ??= measureOnce()
      .catch(() => {
        // The database is away; the figures stay as they were and the next tick retries.
      })
      .finally(() => (measuring = null)));

  const tick = () => {
    gaugeTimer = setTimeout(async () => {
      await measure();
      if (!stopped) tick();
    }, gaugeMs);
    gaugeTimer.unref();
  };

  const listener = listenForSeals(databaseUrl, (orgId) => workers.forEach((w) => w.wake(orgId)));
  for (const w of workers) w.start();
  void measure();
  tick();

  const shipper: AuditShipper = {
    status,
    unreachableRequired,
    measure,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (gaugeTimer) clearTimeout(gaugeTimer);
      workers.forEach((w) => w.wake(null));
      const grace = new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref());
      await Promise.race([Promise.all([...workers.map((w) => w.done()), measuring]), grace]);
      await listener.close();
      await Promise.all(workers.map((w) => w.sink.close().catch((err) => log(`audit sink "${w.spec.name}" did not close cleanly: ${describeSinkError(err)}`))));
      if (publish) publishSinkStatus(null);
      await Promise.race([pool.end().catch(() => {}), grace]);
    },
  };
  if (publish) publishSinkStatus(shipper);
  return shipper;
}
