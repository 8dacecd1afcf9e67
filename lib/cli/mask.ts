// Masks secret values in a child's output as `<secret:NAME>`: the raw value and the
// forms it takes when a program prints it JSON-escaped, URL-encoded or base64-encoded
// (at any byte alignment, so base64 of "user:" + value is caught too). Works on bytes,
// so binary output passes through untouched, and holds back only a tail that could be
// the start of a value, so a value split across two chunks is still masked.

export interface MaskedSecret {
  name: string;
  value: string;
}

export interface MaskPattern {
  bytes: Buffer;
  replacement: Buffer;
}

// Derived forms shorter than this would mask innocent text.
const MIN_DERIVED_LENGTH = 6;

function jsonEscaped(value: string): string[] {
  const plain = JSON.stringify(value).slice(1, -1);
  // Some encoders escape everything beyond ASCII (\u00e9), in either case, or "/" as "\/".
  const ascii = (upper: boolean) =>
    plain.replace(/[\u007f-\uffff]/g, (c) => {
      const hex = c.charCodeAt(0).toString(16).padStart(4, "0");
      return "\\u" + (upper ? hex.toUpperCase() : hex);
    });
  return [plain, ascii(false), ascii(true), plain.replace(/\//g, "\\/")];
}

/** Base64 characters fully determined by the value when it starts `offset` bytes into the encoded data. */
function base64Fragments(value: Buffer): string[] {
  const out: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), value]).toString("base64");
    const start = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + value.length) * 8) / 6);
    const fragment = encoded.slice(start, end);
    out.push(fragment, fragment.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  // The complete encodings too, padding included, as most programs print them.
  const full = value.toString("base64");
  out.push(full, value.toString("base64url"));
  return out;
}

export function maskPatterns(secrets: MaskedSecret[]): MaskPattern[] {
  const seen = new Set<string>();
  const patterns: MaskPattern[] = [];
  for (const { name, value } of secrets) {
    if (!value) continue;
    const replacement = Buffer.from(`<secret:${name}>`);
    const raw = Buffer.from(value, "utf8");
    const forms = [value, ...jsonEscaped(value), encodeURIComponent(value), ...base64Fragments(raw)];
    forms.forEach((form, i) => {
      if (i > 0 && form.length < MIN_DERIVED_LENGTH) return;
      if (seen.has(form)) return;
      seen.add(form);
      patterns.push({ bytes: Buffer.from(form, "utf8"), replacement });
    });
  }
  // Longest first: at one position the longer form wins.
  return patterns.sort((a, b) => b.bytes.length - a.bytes.length);
}

/** Start of the earliest tail of `buf` (at or after `from`) that a pattern could continue. */
function partialStart(buf: Buffer, from: number, patterns: MaskPattern[], maxLen: number): number {
  for (let k = Math.max(from, buf.length - maxLen + 1); k < buf.length; k++) {
    const tail = buf.subarray(k);
    for (const p of patterns) {
      if (p.bytes.length > tail.length && p.bytes.subarray(0, tail.length).equals(tail)) return k;
    }
  }
  return -1;
}

/**
 * Replaces every pattern in `buf`. Unless `final`, a tail that may be the beginning
 * of a value is returned as `rest` to be prefixed to the next chunk.
 */
export function maskBuffer(buf: Buffer, patterns: MaskPattern[], final: boolean): { out: Buffer; rest: Buffer } {
  const maxLen = patterns.reduce((m, p) => Math.max(m, p.bytes.length), 0);
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    let idx = -1;
    let match: MaskPattern | null = null;
    for (const p of patterns) {
      const i = buf.indexOf(p.bytes, pos);
      if (i >= 0 && (idx < 0 || i < idx)) {
        idx = i;
        match = p;
      }
    }
    const hold = final ? -1 : partialStart(buf, pos, patterns, maxLen);
    if (hold >= 0 && (idx < 0 || hold <= idx)) {
      parts.push(buf.subarray(pos, hold));
      return { out: Buffer.concat(parts), rest: Buffer.from(buf.subarray(hold)) };
    }
    if (!match) {
      parts.push(buf.subarray(pos));
      return { out: Buffer.concat(parts), rest: Buffer.alloc(0) };
    }
    parts.push(buf.subarray(pos, idx), match.replacement);
    pos = idx + match.bytes.length;
  }
}

export function maskString(text: string, patterns: MaskPattern[]): string {
  if (patterns.length === 0) return text;
  return maskBuffer(Buffer.from(text, "utf8"), patterns, true).out.toString("utf8");
}

/** Stateful masker for one output stream. */
export class StreamMasker {
  private rest: Buffer = Buffer.alloc(0);

  constructor(private readonly patterns: MaskPattern[]) {}

  push(chunk: Buffer): Buffer {
    if (this.patterns.length === 0) return chunk;
    const { out, rest } = maskBuffer(this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk, this.patterns, false);
    this.rest = rest;
    return out;
  }

  end(): Buffer {
    const { out } = maskBuffer(this.rest, this.patterns, true);
    this.rest = Buffer.alloc(0);
    return out;
  }
}
