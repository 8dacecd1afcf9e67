// Where the HSM keys are: RV_PKCS11_* variables. Read without touching the HSM, so a
// bad configuration is refused at start while an HSM that is down only fails requests.
import { readFileSync } from "node:fs";

export interface Pkcs11Config {
  /** Path of the vendor's PKCS#11 library (.so). */
  module: string;
  tokenLabel?: string;
  slot?: number;
  /** Read at each login, so a PIN file changed on disk is picked up without a restart. */
  pin: () => string;
  /** AES-256 key-encryption key (CKA_EXTRACTABLE=false, CKA_SENSITIVE=true). */
  keyLabel: string;
  /** Generic secret used through CKM_SHA256_HMAC: audit checkpoints, the session-signing default. */
  hmacKeyLabel: string;
  /** Older KEKs in the same token whose data keys still open until rewrapped. */
  previousKeyLabels: string[];
}

export class Pkcs11ConfigError extends Error {}

export const DEFAULT_KEY_LABEL = "rv-kek";
export const DEFAULT_HMAC_KEY_LABEL = "rv-hmac";

/** Key ids of HSM keys: "p11_" + label, never confused with an env key's "kek_…". */
export const pkcs11KeyId = (label: string) => `p11_${label}`;

export function pkcs11ConfigFromEnv(env: Record<string, string | undefined>): Pkcs11Config {
  const module = env.RV_PKCS11_MODULE?.trim();
  if (!module) throw new Pkcs11ConfigError("RV_PKCS11_MODULE must name the HSM's PKCS#11 library (e.g. /usr/lib/softhsm/libsofthsm2.so)");
  const tokenLabel = env.RV_PKCS11_TOKEN_LABEL?.trim() || undefined;
  let slot: number | undefined;
  if (env.RV_PKCS11_SLOT?.trim()) {
    slot = Number(env.RV_PKCS11_SLOT.trim());
    if (!Number.isSafeInteger(slot) || slot < 0) throw new Pkcs11ConfigError("RV_PKCS11_SLOT must be a slot id (a non-negative integer)");
  }
  if (tokenLabel === undefined && slot === undefined) throw new Pkcs11ConfigError("set RV_PKCS11_TOKEN_LABEL (or RV_PKCS11_SLOT) to choose the HSM token");
  let pin: () => string;
  if (env.RV_PKCS11_PIN) {
    const value = env.RV_PKCS11_PIN;
    pin = () => value;
  } else if (env.RV_PKCS11_PIN_FILE) {
    const file = env.RV_PKCS11_PIN_FILE;
    const read = () => {
      try {
        return readFileSync(file, "utf8").trim();
      } catch {
        throw new Pkcs11ConfigError(`RV_PKCS11_PIN_FILE ${file} cannot be read`);
      }
    };
    read();
    pin = read;
  } else {
    throw new Pkcs11ConfigError("set RV_PKCS11_PIN_FILE (or RV_PKCS11_PIN) to the HSM user's PIN");
  }
  const keyLabel = env.RV_PKCS11_KEY_LABEL?.trim() || DEFAULT_KEY_LABEL;
  const hmacKeyLabel = env.RV_PKCS11_HMAC_KEY_LABEL?.trim() || DEFAULT_HMAC_KEY_LABEL;
  const previousKeyLabels = (env.RV_PKCS11_PREVIOUS_KEY_LABELS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return { module, tokenLabel, slot, pin, keyLabel, hmacKeyLabel, previousKeyLabels };
}
