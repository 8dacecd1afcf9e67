// The server actions a page has, from the build's manifest (.next/server/
// server-reference-manifest.json). Next answers an id a page does not have with a stack in
// the log, or, for another page's action, a 200 and an uncaught exception; proxy.ts refuses
// such ids on public pages first. Without a manifest (the dev server) nothing is known and
// nothing is refused here.
import { readFileSync } from "node:fs";
import path from "node:path";

type Manifest = Record<string, { workers?: Record<string, unknown> }>;

let manifest: Manifest | null | undefined;

function loadManifest(): Manifest | null {
  if (manifest !== undefined) return manifest;
  try {
    const file = path.join(process.cwd(), ".next", "server", "server-reference-manifest.json");
    manifest = (JSON.parse(readFileSync(file, "utf8")) as { node?: Manifest }).node ?? null;
  } catch {
    manifest = null;
  }
  return manifest;
}

/**
 * Ids of the actions of `page` (its app path, e.g. "app/set-password/page"), or of every
 * page when `page` is null; null when unknown.
 */
export function pageActionIds(page: string | null): Set<string> | null {
  const all = loadManifest();
  if (!all) return null;
  return new Set(Object.entries(all).flatMap(([id, entry]) => (page === null || (entry.workers && page in entry.workers) ? [id] : [])));
}
