import { describe, expect, it } from "vitest";
import { addMaskPatterns, maskBuffer, maskPatterns, maskString, StreamMasker } from "./mask.ts";
import { JsonRpcLineMasker, maskJsonRpcLine } from "./json-rpc-mask.ts";

const VALUE = 'sk-live/"9f3+Zq\\é-42xYz';
const patterns = maskPatterns([{ name: "API_KEY", value: VALUE }]);

function streamed(text: string | Buffer, chunkSize: number, masker = new StreamMasker(patterns)): string {
  const input = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const out: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunkSize) out.push(masker.push(input.subarray(i, i + chunkSize)));
  out.push(masker.end());
  return Buffer.concat(out).toString("utf8");
}

describe("masking", () => {
  it("masks the raw value, its JSON-escaped, URL-encoded and base64 forms", () => {
    const forms = [
      VALUE,
      JSON.stringify(VALUE).slice(1, -1),
      JSON.stringify(VALUE).slice(1, -1).replace("é", "\\u00e9"),
      JSON.stringify(VALUE).slice(1, -1).replace("é", "\\u00E9"),
      encodeURIComponent(VALUE),
      Buffer.from(VALUE).toString("base64"),
      Buffer.from(VALUE).toString("base64url"),
    ];
    for (const form of forms) {
      const out = maskString(`before ${form} after`, patterns);
      expect(out).toBe("before <secret:API_KEY> after");
    }
    expect(maskString(JSON.stringify({ key: VALUE }), patterns)).toBe('{"key":"<secret:API_KEY>"}');
  });

  it("masks base64 of a value embedded in other data, at every alignment", () => {
    for (const prefix of ["", "u:", "us:", "user:", "Basic-ish "]) {
      const encoded = Buffer.from(`${prefix}${VALUE}#tail`).toString("base64");
      const out = maskString(encoded, patterns);
      expect(out).toContain("<secret:API_KEY>");
      // What is left around the mask cannot be decoded back into the value.
      expect(Buffer.from(out.replace(/<secret:API_KEY>/, ""), "base64").toString("latin1")).not.toContain("9f3+Zq");
    }
  });

  it("masks across every possible chunk boundary, including inside multi-byte characters", () => {
    const text = `line1 ${VALUE}\nline2 ${JSON.stringify(VALUE)} ${VALUE}${VALUE}\n`;
    const expected = maskString(text, patterns);
    expect(expected).not.toContain("9f3+Zq");
    for (let size = 1; size <= text.length; size++) expect(streamed(text, size)).toBe(expected);
  });

  it("holds back only a possible prefix, and releases it at the end", () => {
    const masker = new StreamMasker(patterns);
    expect(masker.push(Buffer.from("hello sk-li")).toString()).toBe("hello ");
    expect(masker.push(Buffer.from("ke")).toString()).toBe("sk-like");
    expect(masker.push(Buffer.from(" sk-")).toString()).toBe(" ");
    expect(masker.end().toString()).toBe("sk-");
  });

  it("releases a short line at once, even when it ends the way an encoded value starts", () => {
    // At one alignment the base64 of "rvb_…" (every bot token) starts with "y".
    const p = maskPatterns([{ name: "RV_BOT_TOKEN", value: "rvb_0123456789abcdefghij" }]);
    expect(new StreamMasker(p).push(Buffer.from("ready\n")).toString()).toBe("ready\n");
    // A long base64 line may go on after its break: that is held until it is clear.
    const line = "QUFB".repeat(15) + "y";
    expect(new StreamMasker(p).push(Buffer.from(`${line}\n`)).toString()).toBe(line.slice(0, -1));
  });

  it("prefers the longer of two overlapping values and waits to see which one it is", () => {
    const p = maskPatterns([
      { name: "SHORT", value: "secretvalue" },
      { name: "LONG", value: "secretvalue-extended" },
    ]);
    expect(streamed("x secretvalue-extended y secretvalue z", 3, new StreamMasker(p))).toBe("x <secret:LONG> y <secret:SHORT> z");
    expect(maskBuffer(Buffer.from("a secretvalue"), p, false).out.toString()).toBe("a ");
  });

  it("passes binary output through unchanged", () => {
    const bytes = Buffer.from([0, 255, 254, 10, 13, 0x80, 0xc3]);
    const masker = new StreamMasker(patterns);
    const out = Buffer.concat([masker.push(bytes.subarray(0, 3)), masker.push(bytes.subarray(3)), masker.end()]);
    expect(out.equals(bytes)).toBe(true);
  });

  it("does not mask short derived forms that would hit ordinary text", () => {
    const p = maskPatterns([{ name: "PIN", value: "ab" }]);
    expect(maskString("abc YWI= cab", p)).toBe("<secret:PIN>c YWI= c<secret:PIN>");
  });
});

describe("JSON-RPC masking", () => {
  it("masks inside messages and keeps them valid JSON", () => {
    const message = {
      jsonrpc: "2.0",
      id: 3,
      result: { content: [{ type: "text", text: `the key is ${VALUE}` }, { type: "text", text: JSON.stringify({ nested: VALUE }) }] },
    };
    const line = maskJsonRpcLine(Buffer.from(JSON.stringify(message)), patterns).toString();
    const parsed = JSON.parse(line);
    expect(parsed.result.content[0].text).toBe("the key is <secret:API_KEY>");
    expect(JSON.parse(parsed.result.content[1].text)).toEqual({ nested: "<secret:API_KEY>" });
    expect(line).not.toContain("9f3+Zq");
  });

  it("leaves untouched messages byte for byte and splits lines across chunks", () => {
    const untouched = '{"jsonrpc":"2.0", "id":1,"result":{}}';
    const secretLine = JSON.stringify({ jsonrpc: "2.0", method: "notifications/message", params: { data: VALUE } });
    const input = Buffer.from(`${untouched}\n${secretLine}\nnot json ${VALUE}\n`);
    for (const size of [1, 5, 17, input.length]) {
      const masker = new JsonRpcLineMasker(patterns);
      const parts: Buffer[] = [];
      for (let i = 0; i < input.length; i += size) parts.push(masker.push(input.subarray(i, i + size)));
      parts.push(masker.end());
      const lines = Buffer.concat(parts).toString().split("\n");
      expect(lines[0]).toBe(untouched);
      expect(JSON.parse(lines[1]).params.data).toBe("<secret:API_KEY>");
      expect(lines[2]).toBe("not json <secret:API_KEY>");
    }
  });

  it("a value added later to patterns a masker already uses is masked from then on", () => {
    const patterns = maskPatterns([{ name: "API_KEY", value: VALUE }]);
    const masker = new JsonRpcLineMasker(patterns);
    expect(maskString("tok-later-123", patterns)).toBe("tok-later-123");
    addMaskPatterns(patterns, [{ name: "LATER", value: "tok-later-123" }]);
    expect(maskString("tok-later-123", patterns)).toBe("<secret:LATER>");
    expect(masker.push(Buffer.from(JSON.stringify({ text: "x tok-later-123" }) + "\n")).toString()).toBe(JSON.stringify({ text: "x <secret:LATER>" }) + "\n");
  });
});
