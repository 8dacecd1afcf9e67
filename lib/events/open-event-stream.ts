// Server-Sent Events of one org's audit trail: replay from the client's last seen
// seq, then live events as the listener wakes us, with comments as heartbeats.
import type { Db } from "@/lib/db/prisma";
import { readEventsAfter, latestEventSeq } from "./read-events-after";
import { sseEventName } from "./event-names";
import type { AuditListener } from "./audit-listener";
import { eventStreamsClosing, trackEventStream } from "./close-event-streams";

export interface OpenEventStreamOptions {
  orgId: string;
  listener: AuditListener;
  /** Last seq the client saw (Last-Event-ID / ?after=); null: only events from now on. */
  after: bigint | null;
  heartbeatMs?: number;
  /** While the listener is down, poll this often instead of waiting for NOTIFY. */
  fallbackPollMs?: number;
  signal?: AbortSignal;
}

const BATCH = 500;
const encoder = new TextEncoder();

export function formatSseEvent(event: { seq: number; type: string }): string {
  return `id: ${event.seq}\nevent: ${sseEventName(event.type)}\ndata: ${JSON.stringify(event)}\n\n`;
}

export async function openEventStream(
  db: Db,
  { orgId, listener, after, heartbeatMs = 15_000, fallbackPollMs = 2_000, signal }: OpenEventStreamOptions,
): Promise<ReadableStream<Uint8Array>> {
  let last = after ?? (await latestEventSeq(db, { orgId }));
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let pumping = false;
  let again = false;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = () => {};
  let untrack = () => {};

  const close = (err?: unknown) => {
    if (closed) return;
    closed = true;
    timers.forEach(clearInterval);
    unsubscribe();
    untrack();
    try {
      if (err) controller.error(err);
      else controller.close();
    } catch {
      // Already closed by the consumer.
    }
  };
  const send = (text: string) => {
    if (!closed) controller.enqueue(encoder.encode(text));
  };

  // Reads everything after `last`; concurrent wake-ups fold into one more pass.
  const pump = async () => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        for (;;) {
          if (closed) return;
          const events = await readEventsAfter(db, { orgId, after: last, limit: BATCH });
          for (const event of events) {
            send(formatSseEvent(event));
            last = BigInt(event.seq);
          }
          if (events.length < BATCH) break;
        }
      } while (again);
    } catch (err) {
      // The client reconnects with Last-Event-ID and misses nothing.
      console.error("[runtime-vault] event stream read failed:", (err as Error)?.name);
      close(err);
    } finally {
      pumping = false;
    }
  };

  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      send(`retry: 3000\n: connected\n\n`);
    },
    cancel() {
      close();
    },
  });
  // The server is stopping: the client reconnects (after `retry`) to an instance that is not.
  if (eventStreamsClosing()) {
    close();
    return stream;
  }
  untrack = trackEventStream(() => close());
  // Subscribe before the first read so nothing committed in between is missed.
  unsubscribe = listener.subscribe(orgId, () => void pump());
  signal?.addEventListener("abort", () => close(), { once: true });
  timers.push(
    setInterval(() => {
      send(": heartbeat\n\n");
      void pump();
    }, heartbeatMs),
    setInterval(() => {
      if (!listener.connected) void pump();
    }, fallbackPollMs),
  );
  void pump();
  return stream;
}
