import type { z } from "zod";
import { ApiError } from "./errors";
import { clientAddress } from "./client-address";

// A 64 KiB value JSON-escaped can grow up to 6x; anything larger is not a vault request.
const MAX_BODY_BYTES = 512 * 1024;

export async function readJson(req: Request): Promise<unknown> {
  const type = req.headers.get("content-type");
  if (type && !/^application\/json\b/i.test(type)) {
    throw new ApiError("unsupported_media_type", "Send the body as application/json");
  }
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw new ApiError("payload_too_large", "Request body is too large");
  let text: string;
  try {
    const buf = await req.arrayBuffer();
    if (buf.byteLength > MAX_BODY_BYTES) throw new ApiError("payload_too_large", "Request body is too large");
    text = new TextDecoder("utf-8", { fatal: true }).decode(buf);
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
