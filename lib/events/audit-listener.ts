// One dedicated PostgreSQL connection per server process doing LISTEN rv_audit (the
// trigger on "AuditEvent" notifies on every committed insert, whichever instance
// wrote it). Notifications are only wake-up calls: subscribers read the rows
// themselves, by seq and scoped to their org, so a lost notification or a
// reconnect costs latency, never events.
import pg from "pg";

export type Wake = () => void;

const CHANNEL = "rv_audit";
const MAX_BACKOFF_MS = 30_000;
// Keep the connection a while after the last subscriber leaves: tabs reconnect.
const IDLE_CLOSE_MS = 30_000;

export class AuditListener {
  private client: pg.Client | null = null;
  private readonly subscribers = new Map<string, Set<Wake>>();
  private starting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private backoffMs = 500;
  private stopped = false;
  connected = false;

  constructor(private readonly connectionString: string) {}

  /** Calls `wake` on every event of `orgId`, and after each reconnect (events may have been missed). */
  subscribe(orgId: string, wake: Wake): () => void {
    let set = this.subscribers.get(orgId);
    if (!set) this.subscribers.set(orgId, (set = new Set()));
    set.add(wake);
    this.stopped = false;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (!this.client && !this.starting && !this.retryTimer) this.starting = this.connect();
    return () => {
      set!.delete(wake);
      if (set!.size === 0 && this.subscribers.get(orgId) === set) this.subscribers.delete(orgId);
      if (this.subscribers.size === 0 && !this.idleTimer) {
        this.idleTimer = setTimeout(() => {
          this.idleTimer = null;
          if (this.subscribers.size === 0) void this.close();
        }, IDLE_CLOSE_MS);
        this.idleTimer.unref();
      }
    };
  }

  get subscriberCount(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, keepAlive: true, connectionTimeoutMillis: 5_000 });
    const fail = () => this.onLost(client);
    client.on("error", fail);
    client.on("end", fail);
    client.on("notification", (msg) => this.onNotification(msg.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch {
      this.starting = null;
      fail();
      return;
    }
    this.starting = null;
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.connected = true;
    this.backoffMs = 500;
    // Anything committed while we were not listening is read now.
    for (const set of this.subscribers.values()) for (const wake of set) wake();
  }

  private onNotification(payload: string | undefined) {
    let orgId: unknown;
    try {
      orgId = JSON.parse(payload ?? "").orgId;
    } catch {
      return;
    }
    if (typeof orgId !== "string") return;
    for (const wake of this.subscribers.get(orgId) ?? []) wake();
  }

  private onLost(client: pg.Client) {
    if (this.client && this.client !== client) return;
    this.client = null;
    this.connected = false;
    client.removeAllListeners("notification");
    client.end().catch(() => {});
    if (this.stopped || this.subscribers.size === 0 || this.retryTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.subscribers.size > 0) this.starting = this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  /** Drops the connection (and any retry); the next subscriber connects again. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.retryTimer = this.idleTimer = null;
    const client = this.client;
    this.client = null;
    this.connected = false;
    if (client) {
      client.removeAllListeners();
      client.on("error", () => {});
      await client.end().catch(() => {});
    }
  }
}

const globalForListener = globalThis as unknown as { rvAuditListener?: AuditListener };

/** The process-wide listener on DATABASE_URL. */
export function auditListener(): AuditListener {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  globalForListener.rvAuditListener ??= new AuditListener(url);
  return globalForListener.rvAuditListener;
}
