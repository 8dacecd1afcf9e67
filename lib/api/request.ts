import type { z } from "zod";
import { ApiError } from "./errors";
import { clientAddress } from "./client-address";

// A 64 KiB value JSON-escaped can grow up to 6x; anything larger is not a vault request.
export const MAX_BODY_BYTES = 512 * 1024;

const tooLarge = () =>
  // The rest of the body is never read: close the connection rather than leave it half-read.
  new ApiError("payload_too_large", "Request body is too large", {}, { connection: "close" });

/**
 * The body's bytes, counted as they arrive: a chunked upload (no Content-Length) is
 * refused at the limit instead of being buffered whole first. The rest is never read.
 */
export async function readBodyCapped(req: Request, maxBytes = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > maxBytes) throw tooLarge();
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw tooLarge();
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

export async function readJson(req: Request): Promise<unknown> {
  const type = req.headers.get("content-type");
  if (type && !/^application\/json\b/i.test(type)) {
    throw new ApiError("unsupported_media_type", "Send the body as application/json");
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(await readBodyCapped(req));
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError("invalid_json", "Request body is not valid UTF-8");
  }
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("invalid_json", "Request body is not valid JSON");
  }
}

export async function parseBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  return schema.parse(await readJson(req));
}

export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const params = new URL(req.url).searchParams;
  const obj: Record<string, string> = {};
  for (const [k, v] of params) obj[k] = v;
  return schema.parse(obj);
}

/**
 * The client address for the audit trail and the per-IP rate limit: the TCP peer,
 * or a forwarded address only through proxies trusted by RV_TRUSTED_PROXIES.
 */
export function clientIp(req: Request): string | null {
  return clientAddress(req.headers);
}
