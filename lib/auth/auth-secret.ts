import { keyProviderFromEnv } from "@/lib/crypto/key-provider";

/**
 * NEXTAUTH_SECRET when set; otherwise derived from the master key, so `npm start`
 * signs sessions out of the box and every instance sharing the key agrees on it.
 * Rotating the master key therefore signs everyone out, which is acceptable.
 */
export function authSecret(env: Record<string, string | undefined> = process.env): string {
  if (env.NEXTAUTH_SECRET) return env.NEXTAUTH_SECRET;
  return keyProviderFromEnv(env).deriveSubkey("nextauth-session").toString("base64url");
}
