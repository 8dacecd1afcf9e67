// A destination for sealed audit events. write() resolves only once the sink has the
// records for good, as far as it can tell: fsynced (file), answered 2xx (HTTP), handed to
// the socket (syslog). The shipper advances its cursor after that, never before.
import type { SinkRecord } from "./sink-record";

export interface AuditSink {
  readonly name: string;
  readonly kind: "file" | "syslog" | "http";
  write(records: SinkRecord[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A sink failure as it may be shown anywhere (logs, /api/health, the cursor row): a
 * short description that never carries a URL's query, a header or a record.
 */
export class SinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SinkError";
  }
}

/** A failure's text fit for logs and /api/health: only our own messages and OS error codes. */
export function describeSinkError(err: unknown): string {
  if (err instanceof SinkError) return err.message;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string" && /^[A-Z0-9_]+$/.test(code)) return code;
  if ((err as Error)?.name === "TimeoutError" || (err as Error)?.name === "AbortError") return "timeout";
  return (err as Error)?.name || "error";
}
