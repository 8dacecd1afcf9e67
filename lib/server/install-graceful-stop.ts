// A quick, clean stop on SIGTERM/SIGINT. `next start` answers them by closing its HTTP
// server and exiting once every connection is gone, but two kinds never go by themselves:
// event streams (they run until the client leaves), and keep-alive connections whose
// request was still in flight (after the response they idle until their keep-alive
// timeout; Node closes only the connections idle at the moment of the close). So: end
// the streams (lib/events/close-event-streams.ts), and keep closing idle connections
// until the process exits. `npm start` kills the server if this still takes too long.
import http from "node:http";
import https from "node:https";
import { closeEventStreams } from "@/lib/events/close-event-streams";

const KEY = Symbol.for("runtime-vault.graceful-stop");
type Global = typeof globalThis & { [KEY]?: Set<http.Server> };

const SWEEP_MS = 50;

export function installGracefulStop(): void {
  const g = globalThis as Global;
  if (g[KEY]) return;
  const servers = (g[KEY] = new Set<http.Server>());
  // `next start` gives no handle on its server: learn it from the requests it emits
  // (as installPeerStamp does). A server that never had a request has nothing to close.
  for (const Server of [http.Server, https.Server]) {
    const original = Server.prototype.emit as (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
    Server.prototype.emit = function emit(this: http.Server, event: string | symbol, ...args: unknown[]) {
      if (event === "request") servers.add(this);
      return original.call(this, event, ...args);
    } as typeof Server.prototype.emit;
  }
  const stop = () => {
    closeEventStreams();
    const sweep = () => servers.forEach((server) => server.closeIdleConnections());
    setImmediate(sweep);
    setInterval(sweep, SWEEP_MS).unref();
  };
  // Beside Next's own handlers, which do the exiting.
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
