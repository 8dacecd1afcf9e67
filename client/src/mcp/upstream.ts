// One MCP server behind the gateway, whatever its transport: JSON-RPC messages go in
// with send(), come out through onMessage, and onClosed fires once when it is gone.
export type JsonRpcMessage = Record<string, unknown> & { jsonrpc?: "2.0"; id?: string | number | null; method?: string };

export interface UpstreamEvents {
  onMessage: (message: JsonRpcMessage) => void;
  /** Once, when the server has gone (exited, session ended, refused). */
  onClosed: (reason: string) => void;
}

export interface Upstream {
  send(message: JsonRpcMessage): void;
  /** The MCP way: close stdin / end the HTTP session; force after a grace period. Resolves when gone. */
  close(): Promise<void>;
  /** At once (a revoked lease, a dead parent). Resolves when gone. */
  kill(): Promise<void>;
}

export const isRequest = (m: JsonRpcMessage) => typeof m.method === "string" && m.id !== undefined && m.id !== null;
export const isNotification = (m: JsonRpcMessage) => typeof m.method === "string" && (m.id === undefined || m.id === null);
export const isResponse = (m: JsonRpcMessage) => m.method === undefined && m.id !== undefined && ("result" in m || "error" in m);
