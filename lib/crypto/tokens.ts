import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export type TokenPrefix = "rvb_" | "rva_" | "rvl_";

/** A fresh bearer token (256 random bits). Shown once; only its hash is stored. */
export function generateToken(prefix: TokenPrefix): string {
  return prefix + randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Constant-time comparison of two hex digests. */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** Reads `Authorization: Bearer <prefix>…`; null when absent or of another kind. */
export function bearerToken(header: string | null, prefix: TokenPrefix): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match || !match[1].startsWith(prefix) || match[1].length > 256) return null;
  return match[1];
}
