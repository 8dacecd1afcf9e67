import { getKeyProvider, keyProviderFromEnv } from "@/lib/crypto/key-provider";

/**
 * NEXTAUTH_SECRET when set; otherwise derived from the key provider, so `npm start`
 * signs sessions out of the box and every instance sharing the key agrees on it: a
 * subkey of the env master key, or with an HSM an HMAC computed inside it by its HMAC
 * key (no subkey of the KEK). Rotating that key therefore signs everyone out, which is
 * acceptable.
 */
export function authSecret(env: Record<string, string | undefined> = process.env): string {
  if (env.NEXTAUTH_SECRET) return env.NEXTAUTH_SECRET;
  // The process's own provider (and its one HSM session) unless asked about another environment.
  const keys = env === process.env ? getKeyProvider() : keyProviderFromEnv(env);
  return keys.secretFor("nextauth-session").toString("base64url");
}
