// MCP over stdio is newline-delimited JSON-RPC. Masking each message as parsed JSON
// (every string, keys included) keeps it valid JSON: a value inside a tool result
// becomes "<secret:NAME>" instead of breaking an escape sequence. Lines that are not
// JSON are masked as bytes.
import { maskBuffer, maskString, type MaskPattern } from "./mask.ts";

export function maskJson(value: unknown, patterns: MaskPattern[]): unknown {
  if (typeof value === "string") return maskString(value, patterns);
  if (Array.isArray(value)) return value.map((v) => maskJson(v, patterns));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[maskString(k, patterns)] = maskJson(v, patterns);
    return out;
  }
  return value;
}

export function maskJsonRpcLine(line: Buffer, patterns: MaskPattern[]): Buffer {
  if (patterns.length === 0) return line;
  const text = line.toString("utf8");
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return maskBuffer(line, patterns, true).out;
  }
  const masked = JSON.stringify(maskJson(message, patterns));
  // Untouched messages go out byte for byte.
  return masked === JSON.stringify(message) ? line : Buffer.from(masked, "utf8");
}

/** Splits a byte stream into lines and masks each complete message. */
export class JsonRpcLineMasker {
  private partial: Buffer[] = [];

  constructor(private readonly patterns: MaskPattern[]) {}

  push(chunk: Buffer): Buffer {
    const out: Buffer[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      this.partial.push(chunk.subarray(start, nl));
      const line = Buffer.concat(this.partial);
      this.partial = [];
      out.push(maskJsonRpcLine(line, this.patterns), Buffer.from("\n"));
      start = nl + 1;
    }
    if (start < chunk.length) this.partial.push(Buffer.from(chunk.subarray(start)));
    return Buffer.concat(out);
  }

  end(): Buffer {
    const line = Buffer.concat(this.partial);
    this.partial = [];
    return line.length ? maskJsonRpcLine(line, this.patterns) : line;
  }
}
