// Ends this process's open event streams when the server is asked to stop. `next start`
// answers SIGTERM/SIGINT by waiting for every open response to finish, and an event
// stream never finishes by itself: a stop waited until the last client went away.
// Ended cleanly, a stream makes its client reconnect (after the `retry:` it was sent),
// to another instance behind a load balancer, or to this one once it is back.
// Shared through globalThis: instrumentation.ts and the route handlers are separate
// bundles with their own module instances, but run in one process.
const KEY = Symbol.for("runtime-vault.event-streams");

interface Registry {
  open: Set<() => void>;
  closing: boolean;
}

function registry(): Registry {
  const g = globalThis as typeof globalThis & { [KEY]?: Registry };
  return (g[KEY] ??= { open: new Set(), closing: false });
}

/** Registers a stream's close function; call the returned function once the stream has ended. */
export function trackEventStream(close: () => void): () => void {
  const { open } = registry();
  open.add(close);
  return () => void open.delete(close);
}

/** True once the server is stopping: new streams end right after they start. */
export function eventStreamsClosing(): boolean {
  return registry().closing;
}

/** Ends every open stream (and any opened from now on); returns how many were open. */
export function closeEventStreams(): number {
  const reg = registry();
  reg.closing = true;
  const open = [...reg.open];
  reg.open.clear();
  for (const close of open) close();
  return open.length;
}
