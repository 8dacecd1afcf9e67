// Masks secret values in a child's output as `<secret:NAME>`: the raw value and the
// forms programs commonly print it in. Works on bytes, so binary output passes through
// untouched, and holds back only a tail that could be the start of a value, so a value
// split across two chunks is still masked.
//
// A value is described by a few forms, each a sequence of slots with alternatives:
// - text: per character the raw character or any of its escapes (JSON/JS/Go `\u00e9`,
//   `\"`, `\/`; Python/C `\xe9`; percent-encoding of its UTF-8 bytes in either case,
//   `+` for a space; HTML `&amp;` `&#233;` `&#xe9;`), mixed freely, so encodeURI,
//   encodeURIComponent, Python quote/quote_plus, full percent-encoding, JSON from any
//   encoder and HTML escaping all match one form;
// - hex of the UTF-8 bytes, either case;
// - base64 (standard or URL alphabet, `/` as `\/`, `+ / =` percent-encoded) at each
//   of the three byte alignments, so the value inside a longer encoded string is
//   caught too, with a line break allowed between any two characters once the line
//   holds at least 40 base64 characters (PEM wraps at 64 columns, MIME at 76), raw or
//   JSON-escaped (`\n`); a shorter line ends at its break.
// Not caught: the value reversed, rot13'd, compressed, encrypted, in UTF-16, in base32
// or other encodings, hex with separators, entities with leading zeros, or printed in
// pieces (split across JSON strings, one character per line).

export interface MaskedSecret {
  name: string;
  value: string;
}

/** One way of writing a byte string; `fold` compares it ASCII-case-insensitively (stored lowercase). */
interface Alt {
  bytes: Buffer;
  fold: boolean;
}

export interface MaskPattern {
  slots: Alt[][];
  /** May appear between two slots (line breaks in wrapped base64). */
  gaps: Buffer[];
  replacement: Buffer;
}

// Derived hex and base64 forms shorter than this would mask innocent text.
const MIN_DERIVED_LENGTH = 6;
// A line break inside base64 only after this many base64 characters on the line: wrapped
// base64 has long lines, and otherwise a line ending in a character that may start an
// encoded value would be held back with its newline until more output came.
const MIN_WRAP_COLUMNS = 40;
const BASE64_GAPS = ["\n", "\r\n", "\\n", "\\r\\n"].map((s) => Buffer.from(s));

const alt = (text: string, fold = false): Alt => ({ bytes: Buffer.from(fold ? text.toLowerCase() : text, "utf8"), fold });
const hex2 = (n: number) => n.toString(16).padStart(2, "0");

const SHORT_ESCAPES: Record<string, string[]> = {
  '"': ['\\"', "&quot;"],
  "\\": ["\\\\"],
  "/": ["\\/"],
  "'": ["\\'", "&apos;"],
  "\b": ["\\b"],
  "\f": ["\\f"],
  "\n": ["\\n"],
  "\r": ["\\r"],
  "\t": ["\\t"],
  "&": ["&amp;"],
  "<": ["&lt;"],
  ">": ["&gt;"],
  " ": ["+"],
  "\u00a0": ["&nbsp;"],
};

/** Every way the text form accepts for one character (a code point). */
function charAlts(ch: string): Alt[] {
  const cp = ch.codePointAt(0)!;
  const utf8 = [...Buffer.from(ch, "utf8")];
  const units = ch.length === 1 ? [cp] : [ch.charCodeAt(0), ch.charCodeAt(1)];
  const alts = [alt(ch)];
  for (const s of SHORT_ESCAPES[ch] ?? []) alts.push(alt(s));
  alts.push(alt(units.map((u) => "\\u" + u.toString(16).padStart(4, "0")).join(""), true));
  if (cp < 0x100) alts.push(alt("\\x" + hex2(cp), true));
  else if (cp > 0xffff) alts.push(alt("\\U" + cp.toString(16).padStart(8, "0"), true));
  if (utf8.length > 1) alts.push(alt(utf8.map((b) => "\\x" + hex2(b)).join(""), true));
  alts.push(alt(utf8.map((b) => "%" + hex2(b)).join(""), true));
  alts.push(alt(`&#${cp};`), alt(`&#x${cp.toString(16)};`, true));
  return alts;
}

const BASE64_ALTS: Record<string, string[]> = { "+": ["+", "-", "%2b"], "/": ["/", "_", "\\/", "%2f"], "=": ["=", "%3d"] };

function base64Slots(encoded: string): Alt[][] {
  return [...encoded].map((c) => (BASE64_ALTS[c] ?? [c]).map((s) => alt(s, s.startsWith("%"))));
}

/** Base64 characters fully determined by the value when it starts `offset` bytes into the encoded data. */
function base64Forms(value: Buffer): string[] {
  const out: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), value]).toString("base64");
    out.push(encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + value.length) * 8) / 6)));
  }
  // The complete encoding too, with and without padding, as most programs print it.
  const full = value.toString("base64");
  out.push(full, full.replace(/=+$/, ""));
  return out;
}

export function maskPatterns(secrets: MaskedSecret[]): MaskPattern[] {
  const seen = new Set<string>();
  const patterns: MaskPattern[] = [];
  const add = (key: string, slots: Alt[][], gaps: Buffer[], replacement: Buffer) => {
    if (seen.has(key)) return;
    seen.add(key);
    patterns.push({ slots, gaps, replacement });
  };
  for (const { name, value } of secrets) {
    if (!value) continue;
    const replacement = Buffer.from(`<secret:${name}>`);
    const raw = Buffer.from(value, "utf8");
    add(`text:${value}`, [...value].map(charAlts), [], replacement);
    const hex = raw.toString("hex");
    if (hex.length >= MIN_DERIVED_LENGTH) add(`hex:${hex}`, [[alt(hex, true)]], [], replacement);
    for (const b64 of base64Forms(raw)) {
      if (b64.length >= MIN_DERIVED_LENGTH) add(`b64:${b64}`, base64Slots(b64), BASE64_GAPS, replacement);
    }
  }
  return patterns;
}

const MISMATCH = 0;
const FULL = 1;
const PARTIAL = 2;

/** Whether `bytes` is at `pos` in `buf`, or could be if `buf` went on. */
function compareAt(buf: Buffer, pos: number, bytes: Buffer, fold: boolean): number {
  const len = bytes.length;
  const n = Math.min(len, buf.length - pos);
  for (let k = 0; k < n; k++) {
    let b = buf[pos + k];
    if (fold && b >= 0x41 && b <= 0x5a) b += 0x20;
    if (b !== bytes[k]) return MISMATCH;
  }
  return n === len ? FULL : PARTIAL;
}

// matchAt's results and state sets, reused: it runs at most candidate positions of
// every byte of output, so it allocates nothing.
let matchEnd = -1;
let matchPartial = false;
const statesA: number[] = [];
const statesB: number[] = [];
/** Base64 characters right before the buffer being masked (already emitted). */
let runBeforeBuffer = 0;

const isBase64Char = (b: number) =>
  (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2b || b === 0x2f || b === 0x2d || b === 0x5f || b === 0x3d;

/** Whether at least MIN_WRAP_COLUMNS base64 characters come right before `pos`. */
function longLineBefore(buf: Buffer, pos: number): boolean {
  let k = pos - 1;
  while (k >= 0 && pos - k <= MIN_WRAP_COLUMNS && isBase64Char(buf[k])) k--;
  const run = pos - 1 - k;
  return run >= MIN_WRAP_COLUMNS || (k < 0 && run + runBeforeBuffer >= MIN_WRAP_COLUMNS);
}

/** Base64 characters at the end of `bytes`, continuing `before` when it is all base64. */
function trailingRun(bytes: Buffer, before: number): number {
  let k = bytes.length - 1;
  while (k >= 0 && isBase64Char(bytes[k])) k--;
  return k < 0 ? before + bytes.length : bytes.length - 1 - k;
}

/**
 * Runs the pattern as a small NFA from `start`: sets `matchEnd` to the end of its
 * longest match (or -1) and `matchPartial` when some path ran into the end of `buf`
 * (a longer match may follow).
 */
function matchAt(buf: Buffer, start: number, p: MaskPattern) {
  let cur = statesA;
  cur.length = 0;
  cur.push(start);
  let partial = false;
  const last = p.slots.length - 1;
  for (let i = 0; i <= last; i++) {
    const next = cur === statesA ? statesB : statesA;
    next.length = 0;
    const slot = p.slots[i];
    for (let s = 0; s < cur.length; s++) {
      for (let j = 0; j < slot.length; j++) {
        const r = compareAt(buf, cur[s], slot[j].bytes, slot[j].fold);
        if (r === PARTIAL) partial = true;
        else if (r === FULL && !next.includes(cur[s] + slot[j].bytes.length)) next.push(cur[s] + slot[j].bytes.length);
      }
    }
    if (i < last) {
      for (let s = 0, n = next.length; s < n; s++) {
        for (const g of p.gaps) {
          const r = compareAt(buf, next[s], g, false);
          if (r !== MISMATCH && !longLineBefore(buf, next[s])) continue;
          if (r === PARTIAL) partial = true;
          else if (r === FULL && !next.includes(next[s] + g.length)) next.push(next[s] + g.length);
        }
      }
    }
    if (next.length === 0) {
      matchEnd = -1;
      matchPartial = partial;
      return;
    }
    cur = next;
  }
  matchEnd = Math.max(...cur);
  matchPartial = partial;
}

interface Candidates {
  /** By first byte: for the last byte of a buffer. */
  first: MaskPattern[][];
  /** By first two bytes (1 + index into `lists`, 0 for none): everywhere else, so most positions try nothing. */
  pairs: Uint32Array;
  lists: MaskPattern[][];
}

const candidateCache = new WeakMap<MaskPattern[], Candidates>();

/** Both cases of a folded letter. */
const cases = (b: number, fold: boolean) => (fold && b >= 0x61 && b <= 0x7a ? [b, b - 0x20] : [b]);

function candidates(patterns: MaskPattern[]): Candidates {
  let c = candidateCache.get(patterns);
  if (c) return c;
  c = { first: Array.from({ length: 256 }, () => []), pairs: new Uint32Array(65536), lists: [[]] };
  const ALL = Array.from({ length: 256 }, (_, i) => i);
  for (const p of patterns) {
    const pairs = new Set<number>();
    for (const a of p.slots[0]) {
      let seconds: number[];
      if (a.bytes.length > 1) seconds = cases(a.bytes[1], a.fold);
      else if (p.slots.length > 1) seconds = [...p.slots[1], ...p.gaps.map((g) => ({ bytes: g, fold: false }))].flatMap((n) => cases(n.bytes[0], n.fold));
      else seconds = ALL;
      for (const b0 of cases(a.bytes[0], a.fold)) {
        if (!c.first[b0].includes(p)) c.first[b0].push(p);
        for (const b1 of seconds) pairs.add((b0 << 8) | b1);
      }
    }
    for (const key of pairs) {
      if (c.pairs[key] === 0) c.pairs[key] = c.lists.push([]) - 1;
      c.lists[c.pairs[key]].push(p);
    }
  }
  candidateCache.set(patterns, c);
  return c;
}

/**
 * Replaces every pattern in `buf` (the longest match at the leftmost position). Unless
 * `final`, a tail that may be the beginning of a value is returned as `rest` to be
 * prefixed to the next chunk.
 */
export function maskBuffer(buf: Buffer, patterns: MaskPattern[], final: boolean, runBefore = 0): { out: Buffer; rest: Buffer } {
  const { first, pairs, lists } = candidates(patterns);
  runBeforeBuffer = runBefore;
  const parts: Buffer[] = [];
  let emitted = 0;
  for (let pos = 0; pos < buf.length; ) {
    const tried = pos + 1 < buf.length ? lists[pairs[(buf[pos] << 8) | buf[pos + 1]]] : first[buf[pos]];
    if (tried.length === 0) {
      pos++;
      continue;
    }
    let end = -1;
    let replacement: Buffer | null = null;
    let partial = false;
    for (const p of tried) {
      matchAt(buf, pos, p);
      partial ||= matchPartial;
      if (matchEnd > end) [end, replacement] = [matchEnd, p.replacement];
    }
    if (partial && !final) {
      parts.push(buf.subarray(emitted, pos));
      return { out: Buffer.concat(parts), rest: Buffer.from(buf.subarray(pos)) };
    }
    if (replacement) {
      parts.push(buf.subarray(emitted, pos), replacement);
      emitted = pos = end;
    } else pos++;
  }
  parts.push(buf.subarray(emitted));
  return { out: Buffer.concat(parts), rest: Buffer.alloc(0) };
}

/**
 * Adds the patterns of more secrets to a list maskers already hold (a value leased
 * later, such as one filled into a tool call), so that they mask it from now on.
 */
export function addMaskPatterns(patterns: MaskPattern[], secrets: MaskedSecret[]) {
  patterns.push(...maskPatterns(secrets));
  candidateCache.delete(patterns);
}

export function maskString(text: string, patterns: MaskPattern[]): string {
  if (patterns.length === 0) return text;
  return maskBuffer(Buffer.from(text, "utf8"), patterns, true).out.toString("utf8");
}

/** Stateful masker for one output stream. */
export class StreamMasker {
  private rest: Buffer = Buffer.alloc(0);
  /** Base64 characters at the end of the input consumed so far (a wrapped line may continue in the next chunk). */
  private run = 0;

  constructor(private readonly patterns: MaskPattern[]) {}

  push(chunk: Buffer): Buffer {
    if (this.patterns.length === 0) return chunk;
    const input = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const { out, rest } = maskBuffer(input, this.patterns, false, this.run);
    this.rest = rest;
    this.run = trailingRun(input.subarray(0, input.length - rest.length), this.run);
    return out;
  }

  end(): Buffer {
    const { out } = maskBuffer(this.rest, this.patterns, true, this.run);
    this.rest = Buffer.alloc(0);
    return out;
  }
}
