// Wake-ups for the shipper: a dedicated connection doing LISTEN rv_audit, on which the
// sealer notifies each sealed batch ({orgId, seq}, lib/audit/seal-audit-chain.ts).
// lib/events/audit-listener.ts does the same for event streams but per subscribed org;
// the shipper wants every org. Notifications only shorten the wait: the shipper polls
// too, so a lost one or a reconnect costs latency, never events.
import pg from "pg";

const MAX_BACKOFF_MS = 30_000;

/** Calls `wake(orgId)` for each sealed batch, and `wake(null)` after each (re)connect. */
export function listenForSeals(connectionString: string, wake: (orgId: string | null) => void): { close(): Promise<void> } {
  let client: pg.Client | null = null;
  let timer: NodeJS.Timeout | null = null;
  let backoffMs = 500;
  let closed = false;

  const connect = async () => {
    const c = new pg.Client({ connectionString, keepAlive: true, connectionTimeoutMillis: 5_000 });
    const lost = () => {
      if (client === c) client = null;
      c.removeAllListeners("notification");
      c.end().catch(() => {});
      if (closed || timer) return;
      timer = setTimeout(() => {
        timer = null;
        void connect();
      }, backoffMs);
      timer.unref();
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    };
    c.on("error", lost);
    c.on("end", lost);
    c.on("notification", (msg) => {
      try {
        const orgId = JSON.parse(msg.payload ?? "").orgId;
        if (typeof orgId === "string") wake(orgId);
      } catch {
        // Not ours.
      }
    });
    try {
      await c.connect();
      await c.query("LISTEN rv_audit");
    } catch {
      lost();
      return;
    }
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    backoffMs = 500;
    wake(null);
  };
  void connect();

  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      if (c) {
        c.removeAllListeners();
        c.on("error", () => {});
        await c.end().catch(() => {});
      }
    },
  };
}
