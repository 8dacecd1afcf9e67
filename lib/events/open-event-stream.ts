// Server-Sent Events of one org's audit trail: replay from the client's last seen
// seq, then live events as the listener wakes us, with comments as heartbeats.
//
// Pull-based: the database is read only when the response has room for more (the
// stream's queue is under its high-water mark, and Next stops pulling while the socket
// is backed up). A client that asks for the whole history and never reads therefore
// holds about one batch on the server, not the history.
//
// The stream outlives the request that authorised it, so it asks again every
// `recheckMs` (`stillAllowed`): a removed or demoted member, or a revoked token, loses
// it within that time, and whatever was queued for them is dropped.
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
  /** Asked every `recheckMs`; the stream ends as soon as it answers false or fails. */
  stillAllowed?: () => Promise<boolean>;
  recheckMs?: number;
  /** Bytes queued ahead of a slow client before reading stops (one batch may overshoot it). */
  highWaterMark?: number;
  /** Runs once when the stream ends, however it ends. */
  onClose?: () => void;
}

// Events per read: about 100 KB of SSE at most, the most one slow client makes us hold.
const BATCH = 250;
const encoder = new TextEncoder();
const HEARTBEAT = encoder.encode(": heartbeat\n\n");

export function formatSseEvent(event: { seq: number; type: string }): string {
  return `id: ${event.seq}\nevent: ${sseEventName(event.type)}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Ends the response without the queued data; Next treats an AbortError as the client leaving, not a fault. */
const revoked = () => new DOMException("access to the event stream was withdrawn", "AbortError");

export async function openEventStream(
  db: Db,
  {
    orgId,
    listener,
    after,
    heartbeatMs = 15_000,
    fallbackPollMs = 2_000,
    signal,
    stillAllowed,
    recheckMs = 5_000,
    highWaterMark = 64 * 1024,
    onClose,
  }: OpenEventStreamOptions,
): Promise<ReadableStream<Uint8Array>> {
  let last: bigint;
  try {
    last = after ?? (await latestEventSeq(db, { orgId }));
  } catch (err) {
    onClose?.();
    throw err;
  }
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  // Something may have been committed since the last read (a wake-up, or nothing read yet).
  let unread = true;
  let heartbeatDue = false;
  let waiting: (() => void) | null = null;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = () => {};
  let untrack = () => {};

  const wake = () => {
    const resume = waiting;
    waiting = null;
    resume?.();
  };
  const finish = (end: "close" | "error" | "cancelled", err?: unknown) => {
    if (closed) return;
    closed = true;
    timers.forEach(clearInterval);
    unsubscribe();
    untrack();
    wake();
    onClose?.();
    try {
      if (end === "error") controller.error(err);
      else if (end === "close") controller.close();
    } catch {
      // Already closed by the consumer.
    }
  };

  // Runs only while the queue has room; enqueues one chunk (events or a heartbeat) and returns.
  const pull = async () => {
    while (!closed) {
      if (unread) {
        unread = false;
        let events: Awaited<ReturnType<typeof readEventsAfter>>;
        try {
          events = await readEventsAfter(db, { orgId, after: last, limit: BATCH });
        } catch (err) {
          // The client reconnects with Last-Event-ID and misses nothing.
          console.error("[runtime-vault] event stream read failed:", (err as Error)?.name);
          finish("error", err);
          return;
        }
        if (closed) return;
        if (events.length > 0) {
          last = BigInt(events[events.length - 1].seq);
          // A full batch: there is more to replay as soon as the client takes this one.
          if (events.length === BATCH) unread = true;
          controller.enqueue(encoder.encode(events.map(formatSseEvent).join("")));
          return;
        }
      }
      if (heartbeatDue) {
        heartbeatDue = false;
        controller.enqueue(HEARTBEAT);
        return;
      }
      await new Promise<void>((resolve) => (waiting = resolve));
    }
  };

  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        c.enqueue(encoder.encode(`retry: 3000\n: connected\n\n`));
      },
      pull,
      cancel() {
        finish("cancelled");
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark }),
  );
  // The server is stopping: the client reconnects (after `retry`) to an instance that is not.
  if (eventStreamsClosing()) {
    finish("close");
    return stream;
  }
  untrack = trackEventStream(() => finish("close"));
  // Subscribe before the first read so nothing committed in between is missed.
  unsubscribe = listener.subscribe(orgId, () => {
    unread = true;
    wake();
  });
  signal?.addEventListener("abort", () => finish("close"), { once: true });
  timers.push(
    setInterval(() => {
      // Also a read: a notification lost with the listener's connection costs at most this long.
      heartbeatDue = unread = true;
      wake();
    }, heartbeatMs),
    setInterval(() => {
      if (!listener.connected) {
        unread = true;
        wake();
      }
    }, fallbackPollMs),
  );
  if (stillAllowed) {
    let checking = false;
    timers.push(
      setInterval(() => {
        if (checking || closed) return;
        checking = true;
        stillAllowed()
          .then((allowed) => {
            if (!allowed) finish("error", revoked());
          })
          .catch(() => finish("error", revoked()))
          .finally(() => (checking = false));
      }, recheckMs),
    );
  }
  return stream;
}
