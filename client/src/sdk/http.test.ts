// Retry and timeout rules of the SDK against a scripted local HTTP server.
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Http } from "./http.ts";
import { LeaseRevoked, NetworkError, PolicyDenied, ServerError, TimeoutError, Unavailable, errorFromResponse } from "./errors.ts";

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? (server.close(() => r()), server.closeAllConnections()) : r())));

/** A server answering request n with script[n]; returns its URL and the hit count. */
async function scripted(script: Array<(req: IncomingMessage, res: ServerResponse) => void>) {
  const hits = { n: 0 };
  server = createServer((req, res) => {
    const step = script[Math.min(hits.n++, script.length - 1)];
    step(req, res);
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, hits };
}

const json = (status: number, body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};
const unavailable = json(503, { error: { code: "unavailable", message: "The vault's database is unavailable; retry shortly" } });

describe("SDK HTTP", () => {
  it("retries a GET after 503 and returns the later answer", async () => {
    const { url, hits } = await scripted([unavailable, unavailable, json(200, { ok: true })]);
    const http = new Http({ baseUrl: url, token: "rva_x", retryDelayMs: 5 });
    await expect(http.request("GET", "/x")).resolves.toEqual({ ok: true });
    expect(hits.n).toBe(3);
  });

  it("never repeats a POST the server may have acted on", async () => {
    const { url, hits } = await scripted([unavailable, json(201, {})]);
    const http = new Http({ baseUrl: url, token: "rvb_x", retryDelayMs: 5 });
    await expect(http.request("POST", "/api/leases", { body: {} })).rejects.toBeInstanceOf(Unavailable);
    expect(hits.n).toBe(1);
  });

  it("gives up after the configured retries with a typed error", async () => {
    const { url, hits } = await scripted([unavailable]);
    const http = new Http({ baseUrl: url, token: "rva_x", retries: 1, retryDelayMs: 5 });
    const err = await http.request("DELETE", "/x").catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({ code: "unavailable", status: 503 });
    expect(hits.n).toBe(2);
  });

  it("does not retry client errors and maps codes to classes", async () => {
    const { url, hits } = await scripted([json(410, { error: { code: "lease_revoked", message: "This lease was revoked" } })]);
    const http = new Http({ baseUrl: url, token: "rva_x", retryDelayMs: 5 });
    await expect(http.request("GET", "/x")).rejects.toBeInstanceOf(LeaseRevoked);
    expect(hits.n).toBe(1);
    expect(errorFromResponse(403, { error: { code: "policy_denied", message: "m" } })).toBeInstanceOf(PolicyDenied);
    expect(errorFromResponse(502, "<html>")).toBeInstanceOf(ServerError);
  });

  it("times out each attempt", async () => {
    const { url, hits } = await scripted([() => {}]); // never answers
    const http = new Http({ baseUrl: url, token: "rva_x", timeoutMs: 100, retries: 1, retryDelayMs: 5 });
    await expect(http.request("GET", "/x")).rejects.toBeInstanceOf(TimeoutError);
    expect(hits.n).toBe(2);
    // A POST that timed out may have been applied: no second attempt.
    const before = hits.n;
    await expect(http.request("POST", "/x", { body: {} })).rejects.toBeInstanceOf(TimeoutError);
    expect(hits.n).toBe(before + 1);
  });

  it("retries even a POST when the connection was refused (nothing was sent)", async () => {
    const { url } = await scripted([json(200, {})]);
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    const http = new Http({ baseUrl: url, token: "rvb_x", retries: 2, retryDelayMs: 5 });
    const err: unknown = await http.request("POST", "/api/leases", { body: {} }).catch((e) => e);
    if (!(err instanceof NetworkError)) throw new Error("expected a NetworkError");
    expect(err.message).toContain("ECONNREFUSED");
  });

  it("sends the bearer token and JSON body, and a per-call token override", async () => {
    const seen: Array<{ auth?: string; type?: string; body: string }> = [];
    const { url } = await scripted([
      (req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
          seen.push({ auth: req.headers.authorization, type: req.headers["content-type"], body });
          json(200, { ok: 1 })(req, res);
        });
      },
    ]);
    const http = new Http({ baseUrl: url + "/", token: "rvb_bot" });
    await http.request("POST", "/a", { body: { x: 1 }, token: "rvl_lease" });
    await http.request("GET", "/b", { query: { scope: "prod", skip: undefined } });
    expect(seen).toEqual([
      { auth: "Bearer rvl_lease", type: "application/json", body: '{"x":1}' },
      { auth: "Bearer rvb_bot", type: undefined, body: "" },
    ]);
  });
});
