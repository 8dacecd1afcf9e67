// The running shipper's view of its sinks, for /api/health and the fail-closed check.
// Read from memory only (the shipper refreshes it in the background), so neither the
// health route nor a resolve pays a database round trip for it. Kept on globalThis:
// instrumentation.ts and the route handlers are bundled apart and do not share modules.
import { ApiError } from "@/lib/api/errors";

export interface SinkStatus {
  name: string;
  kind: "file" | "syslog" | "http";
  required: boolean;
  /** False while the newest delivery attempt (by any instance) failed and events wait. */
  reachable: boolean;
  /** Sealed events not yet confirmed by the sink, over every org. */
  eventsBehind: number;
  /** Age of the oldest sealed event the sink has not confirmed (0 when caught up). */
  secondsBehind: number;
  /** Some org is past the lag threshold (audit.sink_lagging was recorded). */
  lagging: boolean;
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface SinksStatus {
  mode: "continue" | "fail-closed";
  lagAlertSeconds: number;
  /** While true, vault reads are refused with 503 audit_sink_unavailable. */
  refusingReads: boolean;
  measuredAt: string | null;
  sinks: SinkStatus[];
}

export interface SinkStatusSource {
  status(): SinksStatus;
  /** Names of required sinks that are unreachable right now. */
  unreachableRequired(): string[];
}

const KEY = Symbol.for("runtime-vault.audit-sinks");
type Global = typeof globalThis & { [KEY]?: SinkStatusSource | null };

export function publishSinkStatus(source: SinkStatusSource | null): void {
  (globalThis as Global)[KEY] = source;
}

/** The sinks' status, or null when this process ships to no sink. */
export function auditSinkStatus(): SinksStatus | null {
  return (globalThis as Global)[KEY]?.status() ?? null;
}

/**
 * Fail closed: refuses a vault read while a required sink cannot be reached, as Vault
 * refuses requests it cannot audit. Events keep being recorded and are shipped when the
 * sink is back.
 */
export function refuseReadsWhileSinkDown(): void {
  const down = (globalThis as Global)[KEY]?.unreachableRequired() ?? [];
  // Which sink is the operator's business (/api/health names it), not the caller's.
  if (down.length > 0) throw new ApiError("audit_sink_unavailable", "A required audit sink is unreachable; vault reads are refused until it is back", {}, { "retry-after": "5" });
}
