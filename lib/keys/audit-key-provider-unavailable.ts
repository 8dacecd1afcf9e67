// A request met an unavailable key provider (HSM down, wrong PIN, key missing): record
// it in the org's audit chain, at most once a minute per org and process, so an outage
// under load is one event per window rather than one per request. Never throws: the
// caller is already answering 503.
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { transaction } from "@/lib/db/prisma";
import { recordAuditEvent, SYSTEM_ACTOR } from "@/lib/audit/record-audit-event";
import type { KeyProviderUnavailableError } from "@/lib/crypto/key-provider-unavailable";

export const KEY_PROVIDER_AUDIT_WINDOW_MS = 60_000;

const KEY = Symbol.for("runtime-vault.key-provider-unavailable-audited");
type Global = typeof globalThis & { [KEY]?: Map<string, number> };

/** Whether this org's window is open (and, if so, closes it until the window has passed). */
function takeWindow(orgKey: string, now: number): boolean {
  const g = globalThis as Global;
  const last = (g[KEY] ??= new Map());
  const at = last.get(orgKey);
  if (at !== undefined && now - at < KEY_PROVIDER_AUDIT_WINDOW_MS) return false;
  last.set(orgKey, now);
  return true;
}

export async function auditKeyProviderUnavailable(db: PrismaClient, err: KeyProviderUnavailableError, now = Date.now()): Promise<boolean> {
  if (!takeWindow(err.orgId ?? "", now)) return false;
  console.error(`[runtime-vault] key provider unavailable${err.orgId ? ` (org ${err.orgId})` : ""}: ${err.message}`);
  // No org to record it in (e.g. the session-signing secret): the server log only.
  if (!err.orgId) return false;
  try {
    await transaction(db, (tx) =>
      recordAuditEvent(tx, {
        orgId: err.orgId!,
        type: "key_provider.unavailable",
        actor: SYSTEM_ACTOR,
        outcome: "failure",
        reason: err.message.slice(0, 500),
        data: { provider: process.env.RV_KEY_PROVIDER?.trim() || "env", windowSeconds: KEY_PROVIDER_AUDIT_WINDOW_MS / 1000 },
      }),
    );
    return true;
  } catch (auditErr) {
    console.error("[runtime-vault] could not audit the key provider outage:", (auditErr as Error)?.name);
    return false;
  }
}
