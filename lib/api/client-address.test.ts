// How far X-Forwarded-For is believed: the policy parser and the right-to-left walk.
// The server-level behaviour (the peer stamp under `next start`, the audit trail and
// the per-IP bucket) is in e2e/client-address.test.ts.
import { describe, expect, it } from "vitest";
import { normalizeIp, parseTrustedProxies, resolveClientAddress, TrustedProxiesError } from "./client-address";

const resolve = (peer: string | null, xff: string | null, trust?: string) => resolveClientAddress(peer, xff, parseTrustedProxies(trust));

describe("client address", () => {
  it("trusts nobody by default: the peer, whatever the headers say", () => {
    for (const trust of [undefined, "", "0", " "]) {
      expect(resolve("10.0.0.5", "203.0.113.7", trust)).toBe("10.0.0.5");
    }
    expect(resolve(null, "203.0.113.7")).toBeNull();
  });

  it("with a hop count, takes the entry that many hops from the peer", () => {
    expect(resolve("10.0.0.5", "198.51.100.1, 203.0.113.7", "1")).toBe("203.0.113.7");
    expect(resolve("10.0.0.5", "198.51.100.1, 203.0.113.7", "2")).toBe("198.51.100.1");
    // More hops than entries: the leftmost entry, as Express does.
    expect(resolve("10.0.0.5", "203.0.113.7", "3")).toBe("203.0.113.7");
    expect(resolve("10.0.0.5", null, "1")).toBe("10.0.0.5");
  });

  it("with a list, walks left while the current address is a trusted proxy", () => {
    const trust = "loopback, 10.0.0.0/8, 2001:db8::/32";
    expect(resolve("127.0.0.1", "198.51.100.1, 203.0.113.7, 10.1.2.3", trust)).toBe("203.0.113.7");
    expect(resolve("::ffff:127.0.0.1", "203.0.113.7", trust)).toBe("203.0.113.7");
    expect(resolve("2001:db8::1", "[2001:DB8::9]:443, 203.0.113.7:5555", trust)).toBe("203.0.113.7");
    // An untrusted peer's header is ignored entirely.
    expect(resolve("198.51.100.9", "203.0.113.7", trust)).toBe("198.51.100.9");
  });

  it("stops at an entry that is not an address", () => {
    expect(resolve("127.0.0.1", "203.0.113.7, <script>", "2")).toBe("127.0.0.1");
    expect(resolve("127.0.0.1", "unknown, 203.0.113.7", "2")).toBe("203.0.113.7");
  });

  it("refuses settings that would let clients pick their address, and typos", () => {
    for (const bad of ["true", "*", "10.0.0.0/33", "proxy.internal", "10.0.0.1/8/1", "99"]) {
      expect(() => parseTrustedProxies(bad), bad).toThrow(TrustedProxiesError);
    }
  });

  it("normalizes what sockets and proxies write", () => {
    expect(normalizeIp("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(normalizeIp("192.0.2.1:8080")).toBe("192.0.2.1");
    expect(normalizeIp("[::1]:80")).toBe("::1");
    expect(normalizeIp("not-an-ip")).toBeNull();
  });
});
