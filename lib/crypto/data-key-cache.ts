// Unwrapped data keys, held for a bounded time so the HSM is asked once per data key
// rather than once per resolve. RV_DATA_KEY_CACHE_SECONDS (default 60; 0 turns it off).
// Dropped, and zeroed, on revoke-all (an incident) and at shutdown. One cache per
// process: kept on globalThis so every bundle of the server sees the same one.
const KEY = Symbol.for("runtime-vault.data-key-cache");
const MAX_ENTRIES = 10_000;

interface Entry {
  key: Buffer;
  expiresAt: number;
}

type Global = typeof globalThis & { [KEY]?: Map<string, Entry> };

function entries(): Map<string, Entry> {
  const g = globalThis as Global;
  return (g[KEY] ??= new Map());
}

export function dataKeyCacheSeconds(env: Record<string, string | undefined> = process.env): number {
  const raw = env.RV_DATA_KEY_CACHE_SECONDS?.trim();
  if (!raw) return 60;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : 60;
}

const forget = (map: Map<string, Entry>, id: string, entry: Entry) => {
  entry.key.fill(0);
  map.delete(id);
};

/** A copy of the cached key (callers zero what they get), or undefined. */
export function cachedDataKey(id: string, now = Date.now()): Buffer | undefined {
  const map = entries();
  const entry = map.get(id);
  if (!entry) return undefined;
  if (entry.expiresAt <= now) {
    forget(map, id, entry);
    return undefined;
  }
  return Buffer.from(entry.key);
}

export function cacheDataKey(id: string, key: Buffer, ttlSeconds: number, now = Date.now()) {
  if (ttlSeconds <= 0) return;
  const map = entries();
  if (map.size >= MAX_ENTRIES) {
    // Expired ones first; when none, the oldest insert (Map keeps insertion order).
    for (const [k, e] of map) if (e.expiresAt <= now) forget(map, k, e);
    if (map.size >= MAX_ENTRIES) {
      const [k, e] = map.entries().next().value!;
      forget(map, k, e);
    }
  }
  const old = map.get(id);
  if (old) forget(map, id, old);
  map.set(id, { key: Buffer.from(key), expiresAt: now + ttlSeconds * 1000 });
}

/** Revoke-all and shutdown: every cached data key zeroed and forgotten. */
export function dropCachedDataKeys(): number {
  const map = entries();
  const count = map.size;
  for (const [k, e] of map) forget(map, k, e);
  return count;
}

export const cachedDataKeyCount = () => entries().size;
