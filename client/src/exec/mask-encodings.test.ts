// Property test for the encodings the masker claims to catch: each one, of random
// values, at random offsets in random text, streamed in random chunks (the masker sees
// the output as a child writes it), never survives masking.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { maskPatterns, maskString, StreamMasker } from "./mask.ts";

const NAME = "API_KEY";
const MASK = `<secret:${NAME}>`;

/** Percent-encodes every UTF-8 byte except the characters `keep` accepts. */
function percent(value: string, keep: RegExp, { lower = false, plus = false } = {}): string {
  let out = "";
  for (const ch of value) {
    if (plus && ch === " ") out += "+";
    else if (keep.test(ch)) out += ch;
    else for (const b of Buffer.from(ch)) out += "%" + b.toString(16).padStart(2, "0")[lower ? "toLowerCase" : "toUpperCase"]();
  }
  return out;
}

const u = (c: string, upper = false) =>
  [...c].map((_, i) => "\\u" + c.charCodeAt(i).toString(16).padStart(4, "0")).map((s) => (upper ? s.toUpperCase().replace("\\U", "\\u") : s)).join("");
const eachUnit = (v: string, fn: (unit: string) => string) => v.split("").map(fn).join("");
const jsonInner = (v: string) => JSON.stringify(v).slice(1, -1);
const UNRESERVED = /^[A-Za-z0-9_.~-]$/;

/** Encodings of the value on its own, as programs print them. */
const TEXT_ENCODINGS: Record<string, (v: string) => string> = {
  raw: (v) => v,
  "hex, lowercase": (v) => Buffer.from(v).toString("hex"),
  "hex, uppercase": (v) => Buffer.from(v).toString("hex").toUpperCase(),
  encodeURIComponent: (v) => encodeURIComponent(v),
  "encodeURIComponent, lowercase escapes": (v) => encodeURIComponent(v).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  encodeURI: (v) => encodeURI(v),
  "full percent-encoding": (v) => percent(v, /^$/),
  "full percent-encoding, lowercase": (v) => percent(v, /^$/, { lower: true }),
  "Python quote": (v) => percent(v, /^[A-Za-z0-9_.~/-]$/),
  "Python quote_plus": (v) => percent(v, UNRESERVED, { plus: true }),
  "form encoding (URLSearchParams)": (v) => new URLSearchParams({ k: v }).toString().slice(2),
  "JSON (JSON.stringify)": jsonInner,
  "JSON, ASCII only (Python json.dumps)": (v) => jsonInner(v).replace(/[\u007f-\uffff]/g, (c) => u(c)),
  "JSON, Go (<>& and U+2028/9 as \\u)": (v) => jsonInner(v).replace(/[<>&\u2028\u2029]/g, (c) => u(c)),
  "JSON, slashes escaped (PHP)": (v) => jsonInner(v).replace(/\//g, "\\/"),
  "\\u for every character": (v) => eachUnit(v, (c) => u(c)),
  "\\u for every character, uppercase hex": (v) => eachUnit(v, (c) => u(c, true)),
  "\\u for every non-alphanumeric (escapejs)": (v) => eachUnit(v, (c) => (/[A-Za-z0-9]/.test(c) ? c : u(c, true))),
  "HTML escape (& < > \" ')": (v) => v.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]!),
  "HTML decimal entities": (v) => [...v].map((c) => `&#${c.codePointAt(0)};`).join(""),
  "HTML hex entities": (v) => [...v].map((c) => `&#x${c.codePointAt(0)!.toString(16).toUpperCase()};`).join(""),
  "Python bytes repr (\\x)": (v) =>
    [...Buffer.from(v)].map((b) => (b === 0x5c ? "\\\\" : b === 0x27 ? "\\'" : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "\\x" + b.toString(16).padStart(2, "0"))).join(""),
};

// Values with the characters encoders treat specially, non-ASCII and astral ones included.
const valueChar = fc.oneof(
  fc.constantFrom(..."\"\\/&<>'%+ =?#:;@~-_.\n\té€😀"),
  fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);
const value = fc.array(valueChar, { minLength: 8, maxLength: 40 }).map((cs) => cs.join(""));
const text = fc.string({ unit: "binary", maxLength: 40 });
const cuts = fc.array(fc.nat(), { maxLength: 12 });

/** Streams `input` through a fresh masker, cut into chunks at `at` (positions modulo the length). */
function streamed(input: Buffer, at: number[], v: string): Buffer {
  const masker = new StreamMasker(maskPatterns([{ name: NAME, value: v }]));
  const bounds = [...new Set(at.map((n) => n % (input.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const to of [...bounds, input.length]) {
    out.push(masker.push(input.subarray(from, to)));
    from = to;
  }
  out.push(masker.end());
  return Buffer.concat(out);
}

describe("masking of encoded values (property)", () => {
  it.each(Object.keys(TEXT_ENCODINGS))("%s never survives, at any offset and chunking", (encoding) => {
    fc.assert(
      fc.property(value, text, text, cuts, (v, before, after, at) => {
        const encoded = TEXT_ENCODINGS[encoding](v);
        const input = Buffer.from(before + encoded + after);
        const out = streamed(input, at, v).toString("utf8");
        expect(out).not.toContain(encoded);
        expect(out).toContain(MASK);
        // Chunking changes nothing.
        expect(out).toBe(maskString(input.toString("utf8"), maskPatterns([{ name: NAME, value: v }])));
      }),
      { numRuns: 100 },
    );
  });

  const wrap = fc.constantFrom(0, 64, 76);
  const newline = fc.constantFrom("\n", "\r\n", "\\n");
  const alphabet = fc.constantFrom("base64", "base64url") as fc.Arbitrary<"base64" | "base64url">;

  it("base64 of the value inside other data, wrapped or not, never survives", () => {
    fc.assert(
      fc.property(value, fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 20 }), alphabet, wrap, newline, text, cuts, (v, pre, post, enc, width, nl, around, at) => {
        const raw = Buffer.from(v);
        const encoded = Buffer.concat([pre, raw, post]).toString(enc);
        // The characters determined by the value alone: what a reader could decode it from.
        const determined = encoded.slice(Math.ceil((pre.length * 8) / 6), Math.floor(((pre.length + raw.length) * 8) / 6));
        const wrapped = width ? encoded.replace(new RegExp(`(.{${width}})(?=.)`, "g"), `$1${nl}`) : encoded;
        const input = Buffer.from(`${around}-----BEGIN DATA-----\n${wrapped}\n-----END DATA-----${around}`);
        const out = streamed(input, at, v).toString("utf8");
        expect(out.replace(/\r?\n|\\n/g, "")).not.toContain(determined);
        expect(out).toContain(MASK);
      }),
      { numRuns: 400 },
    );
  });

  it("leaves text without the value byte for byte, at any chunking", () => {
    fc.assert(
      fc.property(value, fc.string({ unit: "binary", maxLength: 200 }), cuts, (v, t, at) => {
        fc.pre(!t.includes(v));
        expect(streamed(Buffer.from(t), at, v).toString("utf8")).toBe(t);
      }),
      { numRuns: 300 },
    );
  });
});
