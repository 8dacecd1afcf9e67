// The client address recorded in audit events and used for the per-IP rate limit.
//
// X-Forwarded-For is written by whoever sends the request, so it is believed only as
// far as RV_TRUSTED_PROXIES says (Express's `trust proxy` semantics, minus `true`):
// the chain is read from the right, starting at the TCP peer, and each address that
// is trusted hands over to the one it forwarded for. With nothing trusted the answer
// is the TCP peer itself.
//
// Next.js 15+ gives route handlers no peer address (NextRequest.ip is gone, and
// `next start` only fills X-Forwarded-For with the peer when the client sent none).
// So the server stamps the socket's address into every request as it arrives (see
// installPeerStamp, called from instrumentation.ts), together with a per-process
// nonce: a client can send the header too, but cannot guess the nonce.
import http from "node:http";
import https from "node:https";
import { BlockList, isIP } from "node:net";
import { randomBytes } from "node:crypto";

export const PEER_HEADER = "x-runtime-vault-peer";

// Shared through globalThis: instrumentation and route handlers are separate bundles
// with their own module instances, but run in one process.
const STATE = Symbol.for("runtime-vault.peer-stamp");
type StampState = { nonce: string };
type Global = typeof globalThis & { [STATE]?: StampState };

const MAX_HOPS = 32;

const PRESETS: Record<string, string[]> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

export type TrustPolicy = { kind: "none" } | { kind: "hops"; hops: number } | { kind: "list"; list: BlockList };

export class TrustedProxiesError extends Error {}

/**
 * RV_TRUSTED_PROXIES: unset, empty or `0` trusts nobody; a number N trusts the N
 * nearest hops whatever their address; otherwise a comma-separated list of
 * addresses, CIDR ranges and the names `loopback`, `linklocal`, `uniquelocal`.
 */
export function parseTrustedProxies(raw: string | undefined): TrustPolicy {
  const value = raw?.trim() ?? "";
  if (value === "" || value === "0") return { kind: "none" };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_HOPS) throw new TrustedProxiesError(`RV_TRUSTED_PROXIES: at most ${MAX_HOPS} hops`);
    return { kind: "hops", hops };
  }
  if (/^(true|\*|all)$/i.test(value)) {
    // Trusting every hop makes the leftmost, client-written entry the answer.
    throw new TrustedProxiesError("RV_TRUSTED_PROXIES: trusting every address lets clients choose their own; give the number of proxy hops or their addresses");
  }
  const list = new BlockList();
  for (const entry of value.split(",").map((e) => e.trim()).filter(Boolean)) {
    for (const item of PRESETS[entry.toLowerCase()] ?? [entry]) addEntry(list, item, entry);
  }
  return { kind: "list", list };
}

function addEntry(list: BlockList, item: string, original: string) {
  const [addr, prefix, extra] = item.split("/");
  const family = isIP(addr);
  const bits = prefix === undefined ? (family === 4 ? 32 : 128) : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (!family || extra !== undefined || !(bits >= 0 && bits <= (family === 4 ? 32 : 128))) {
    throw new TrustedProxiesError(`RV_TRUSTED_PROXIES: "${original}" is not an IP address, a CIDR range, a hop count or one of ${Object.keys(PRESETS).join(", ")}`);
  }
  list.addSubnet(addr, bits, family === 4 ? "ipv4" : "ipv6");
}

/**
 * A bare IP address, or null. Accepts what proxies write besides: `[v6]:port`,
 * `v4:port`, and IPv4-mapped IPv6 (`::ffff:10.0.0.1`, reported by dual-stack sockets).
 */
export function normalizeIp(raw: string | undefined | null): string | null {
  if (!raw) return null;
  let s = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(":"));
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(s);
  if (mapped) s = mapped[1];
  const family = isIP(s);
  if (!family) return null;
  return family === 6 ? s.toLowerCase() : s;
}

function trusts(policy: TrustPolicy, addr: string, hop: number): boolean {
  if (policy.kind === "hops") return hop < policy.hops;
  if (policy.kind === "list") return policy.list.check(addr, isIP(addr) === 4 ? "ipv4" : "ipv6");
  return false;
}

/**
 * Walks X-Forwarded-For from the right, starting at the peer: while the current
 * address is a trusted proxy, the entry it appended is the next candidate. Stops at
 * an entry that is not an address (only an untrusted party can have written it).
 */
export function resolveClientAddress(peer: string | null, forwardedFor: string | null, policy: TrustPolicy): string | null {
  let client = normalizeIp(peer);
  if (!client || policy.kind === "none" || !forwardedFor) return client;
  const chain = forwardedFor.split(",").slice(-(MAX_HOPS + 1)).reverse();
  for (let hop = 0; hop < chain.length; hop++) {
    if (!trusts(policy, client, hop)) break;
    const next = normalizeIp(chain[hop]);
    if (!next) break;
    client = next;
  }
  return client;
}

let cachedRaw: string | undefined;
let cachedPolicy: TrustPolicy = { kind: "none" };

function policyFromEnv(env: Record<string, string | undefined>): TrustPolicy {
  const raw = env.RV_TRUSTED_PROXIES;
  if (raw !== cachedRaw) {
    try {
      cachedPolicy = parseTrustedProxies(raw);
    } catch {
      // The server refuses to start with a bad value (instrumentation.ts); should one
      // appear anyway, believe no forwarded header rather than fail every request.
      cachedPolicy = { kind: "none" };
    }
    cachedRaw = raw;
  }
  return cachedPolicy;
}

/** The socket address stamped by installPeerStamp, if the stamp carries this process's nonce. */
export function stampedPeer(value: string | null | undefined): string | null {
  const nonce = (globalThis as Global)[STATE]?.nonce;
  if (!nonce || !value) return null;
  const space = value.indexOf(" ");
  if (space < 0 || value.slice(space + 1) !== nonce) return null;
  return value.slice(0, space);
}

export interface HeaderSource {
  get(name: string): string | null;
}

/** The client address for a request's headers; null when the server could not stamp the peer. */
export function clientAddress(headers: HeaderSource, env: Record<string, string | undefined> = process.env): string | null {
  const peer = stampedPeer(headers.get(PEER_HEADER));
  return resolveClientAddress(peer, headers.get("x-forwarded-for"), policyFromEnv(env))?.slice(0, 64) ?? null;
}

/** For APIs that hand over headers as a plain object (next-auth's `authorize`). */
export function headersFromRecord(record: unknown): HeaderSource {
  const h = (record ?? {}) as Record<string, string | string[] | undefined>;
  return {
    get(name) {
      const v = h[name] ?? h[name.toLowerCase()];
      return Array.isArray(v) ? v.join(", ") : (v ?? null);
    },
  };
}

/**
 * Stamps every incoming HTTP request with its socket's address before Next.js sees it,
 * replacing whatever the client sent under the same name. Patches Server.prototype.emit
 * (as APM agents do) because `next start` gives no hook on its server. Requests that
 * arrived before this ran carry no valid stamp and get a null address.
 */
export function installPeerStamp(): void {
  const g = globalThis as Global;
  if (g[STATE]) return;
  const state: StampState = { nonce: randomBytes(24).toString("base64url") };
  for (const Server of [http.Server, https.Server]) {
    const original = Server.prototype.emit as (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
    Server.prototype.emit = function emit(this: http.Server, event: string | symbol, ...args: unknown[]) {
      if (event === "request") {
        const req = args[0] as http.IncomingMessage;
        const addr = normalizeIp(req.socket?.remoteAddress);
        if (addr) req.headers[PEER_HEADER] = `${addr} ${state.nonce}`;
        else delete req.headers[PEER_HEADER];
      }
      return original.call(this, event, ...args);
    } as typeof Server.prototype.emit;
  }
  g[STATE] = state;
}
