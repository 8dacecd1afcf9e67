// How many event streams each user holds open in this process. Each open stream keeps
// a connection, timers and a small buffer; without a cap one user could open thousands.
const SLOTS = Symbol.for("runtime-vault.event-stream-slots");
const g = globalThis as typeof globalThis & { [SLOTS]?: Map<string, number> };
const open = (g[SLOTS] ??= new Map<string, number>());

/** A release function for one more stream of `key`, or null when it already holds `max`. */
export function acquireStreamSlot(key: string, max: number): (() => void) | null {
  const held = open.get(key) ?? 0;
  if (held >= max) return null;
  open.set(key, held + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (open.get(key) ?? 1) - 1;
    if (left > 0) open.set(key, left);
    else open.delete(key);
  };
}

export function streamsPerUserFromEnv(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.RV_EVENTS_MAX_STREAMS_PER_USER);
  return Number.isInteger(n) && n > 0 ? n : 5;
}
