// Body size limit while reading (security review, issue 10): a chunked body announces no
// length, so the limit has to hold as the bytes arrive, not after buffering them all.
import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, readBodyCapped, readJson } from "./request";

/** A request whose body never ends, counting how much of it was pulled. */
function endlessRequest() {
  const pulled = { bytes: 0 };
  const chunk = new Uint8Array(16 * 1024).fill(0x20);
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      pulled.bytes += chunk.byteLength;
      c.enqueue(chunk);
    },
  });
  const req = new Request("http://vault.test/api/leases", { method: "POST", body, headers: { "content-type": "application/json" }, duplex: "half" } as RequestInit);
  return { req, pulled };
}

describe("readBodyCapped", () => {
  it("refuses an endless body at the limit, having read only about that much", async () => {
    const { req, pulled } = endlessRequest();
    await expect(readJson(req)).rejects.toMatchObject({ code: "payload_too_large", status: 413 });
    expect(pulled.bytes).toBeLessThan(MAX_BODY_BYTES + 256 * 1024);
  });

  it("returns bodies within the limit whole, and refuses a declared length over it unread", async () => {
    const text = JSON.stringify({ value: "x".repeat(100_000) });
    const ok = new Request("http://vault.test/", { method: "POST", body: text });
    expect(new TextDecoder().decode(await readBodyCapped(ok))).toBe(text);
    const declared = new Request("http://vault.test/", { method: "POST", body: "{}", headers: { "content-length": String(MAX_BODY_BYTES + 1) } });
    await expect(readBodyCapped(declared)).rejects.toMatchObject({ code: "payload_too_large" });
    expect(declared.bodyUsed).toBe(false);
  });
});
