// A remote MCP server over Streamable HTTP (MCP 2025-03-26 and later), by hand with
// fetch (the client package has no dependencies): every message is a POST accepting
// JSON or an SSE stream, the session id from the initialize answer goes on every later
// request, and DELETE ends the session. Headers come from the mount's templates with
// the leased values filled in at each request. Server-initiated messages outside a
// request (the optional GET stream) are not listened to.
import { parseSse } from "../sdk/sse.ts";
import { isRequest, type JsonRpcMessage, type Upstream, type UpstreamEvents } from "./upstream.ts";

/** How long ending the session (DELETE) may take. */
const DELETE_TIMEOUT_MS = 3_000;

export interface HttpUpstreamOptions {
  url: string;
  /** Header values with the leased secrets filled in, computed per request. */
  headers: () => Record<string, string>;
  label: string;
}

export class HttpUpstream implements Upstream {
  private sessionId: string | null = null;
  private protocolVersion: string | null = null;
  private readonly abort = new AbortController();
  private closed = false;

  constructor(private readonly opts: HttpUpstreamOptions, private readonly events: UpstreamEvents) {}

  send(message: JsonRpcMessage) {
    if (this.closed) return;
    void this.post(message).catch((err) => {
      if (this.closed) return;
      // The request gets an answer either way, so the client does not wait forever.
      if (isRequest(message)) this.answerError(message, `the remote MCP server could not be reached (${(err as Error).message})`);
    });
  }

  private answerError(request: JsonRpcMessage, message: string) {
    this.events.onMessage({ jsonrpc: "2.0", id: request.id, error: { code: -32000, message: `${this.opts.label}: ${message}` } });
  }

  private requestHeaders(): Record<string, string> {
    return {
      ...this.opts.headers(),
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(this.sessionId ? { "mcp-session-id": this.sessionId } : {}),
      ...(this.protocolVersion ? { "mcp-protocol-version": this.protocolVersion } : {}),
    };
  }

  private async post(message: JsonRpcMessage) {
    const res = await fetch(this.opts.url, { method: "POST", headers: this.requestHeaders(), body: JSON.stringify(message), signal: this.abort.signal, redirect: "error" });
    const session = res.headers.get("mcp-session-id");
    if (message.method === "initialize" && session) this.sessionId = session;
    if (res.status === 202 || res.status === 204) return void (await res.body?.cancel());
    if (!res.ok) {
      await res.body?.cancel();
      // The body may echo what was sent (headers included): only the status goes on.
      if (isRequest(message)) this.answerError(message, `the remote MCP server answered HTTP ${res.status}`);
      if (res.status === 404 && this.sessionId) this.end("the remote MCP server ended the session");
      return;
    }
    const type = res.headers.get("content-type") ?? "";
    if (type.includes("text/event-stream") && res.body) {
      for await (const event of parseSse(res.body)) {
        if (event.event !== "message" || !event.data) continue;
        this.deliver(event.data, message);
      }
    } else {
      this.deliver(await res.text(), message);
    }
  }

  private deliver(text: string, sent: JsonRpcMessage) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      if (isRequest(sent)) this.answerError(sent, "the remote MCP server answered something that is not JSON-RPC");
      return;
    }
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
      if (!m || typeof m !== "object") continue;
      const msg = m as JsonRpcMessage;
      if (sent.method === "initialize" && msg.id === sent.id) {
        const version = (msg.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
        if (typeof version === "string") this.protocolVersion = version;
      }
      this.events.onMessage(msg);
    }
  }

  private end(reason: string) {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.events.onClosed(reason);
  }

  /** Ends the session (DELETE, best effort: a server may not support it). */
  async close() {
    if (this.closed) return;
    const session = this.sessionId;
    const headers = this.requestHeaders();
    this.closed = true;
    this.abort.abort();
    if (session) {
      await fetch(this.opts.url, { method: "DELETE", headers, signal: AbortSignal.timeout(DELETE_TIMEOUT_MS), redirect: "error" })
        .then(async (r) => void (await r.body?.cancel()))
        .catch(() => {});
    }
    this.events.onClosed("the session was ended");
  }

  kill() {
    return this.close();
  }
}
