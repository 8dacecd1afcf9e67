// The HTTP sink: each batch one POST, a JSON array (application/json) or one event per
// line (application/x-ndjson), with the configured header (RV_AUDIT_SINK_<NAME>_HEADER).
// Only a 2xx answer confirms the batch; anything else, a timeout or a refused
// connection is a failure and the shipper sends the same events again after a backoff
// (so a receiver sees a batch twice when its 2xx was lost: events carry orgId and seq
// to deduplicate). The error kept for /api/health names the status only: the URL's
// query and the header may hold credentials.
import { SinkError, type AuditSink } from "./audit-sink";
import type { HttpSinkSpec } from "./sink-config";
import type { SinkRecord } from "./sink-record";

type Spec = Pick<HttpSinkSpec, "name" | "url" | "format" | "timeoutMs" | "headers">;

export class HttpSink implements AuditSink {
  readonly kind = "http";
  readonly name: string;

  constructor(private readonly spec: Spec) {
    this.name = spec.name;
  }

  async write(records: SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    const ndjson = this.spec.format === "ndjson";
    const body = ndjson ? records.map((r) => JSON.stringify(r) + "\n").join("") : JSON.stringify(records);
    let res: Response;
    try {
      res = await fetch(this.spec.url, {
        method: "POST",
        headers: { ...this.spec.headers, "content-type": ndjson ? "application/x-ndjson" : "application/json" },
        body,
        redirect: "error",
        signal: AbortSignal.timeout(this.spec.timeoutMs),
      });
    } catch (err) {
      // fetch wraps the network error; its code (ECONNREFUSED, …) is what is worth showing.
      const cause = (err as { cause?: { code?: unknown } })?.cause;
      if (typeof cause?.code === "string") throw new SinkError(cause.code);
      if ((err as Error)?.name === "TimeoutError") throw new SinkError(`no answer within ${this.spec.timeoutMs} ms`);
      throw new SinkError("request failed");
    }
    // Read the body so the connection can be reused; its content is not ours to log.
    await res.arrayBuffer().catch(() => {});
    if (res.status < 200 || res.status > 299) throw new SinkError(`HTTP ${res.status}`);
  }

  async close(): Promise<void> {}
}
