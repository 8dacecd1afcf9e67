// Key-encryption keys. Data keys are wrapped by a KeyProvider so an external KMS
// can replace the local master key without touching the envelope format.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";

export interface KeyProvider {
  /** Id of the key new data keys are wrapped with. */
  readonly currentKeyId: string;
  wrap(dataKey: Buffer): Promise<{ keyId: string; wrapped: Buffer }>;
  unwrap(wrapped: Buffer, keyId: string): Promise<Buffer>;
  /** HMAC-SHA256 under a subkey of the current key, for checkpoints kept in the database. */
  mac(label: string, data: string): string;
  /** True when `mac` was made by the current or a previous key. */
  verifyMac(label: string, data: string, mac: string): boolean;
}

export class MasterKeyError extends Error {}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Short, stable id of a master key; never reveals the key. */
export function masterKeyId(key: Buffer): string {
  return "kek_" + createHash("sha256").update("runtime-vault kek id\0").update(key).digest("hex").slice(0, 16);
}

export function parseMasterKey(base64: string, source: string): Buffer {
  const key = Buffer.from(base64.trim(), "base64");
  if (key.length !== 32) throw new MasterKeyError(`${source} must be 32 bytes encoded as base64 (got ${key.length} bytes)`);
  return key;
}

/** AES-256-GCM key wrapping under master keys held in memory. */
export class LocalKeyProvider implements KeyProvider {
  readonly currentKeyId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(current: Buffer, previous: Buffer[] = []) {
    this.currentKeyId = masterKeyId(current);
    for (const key of [current, ...previous]) this.keys.set(masterKeyId(key), key);
  }

  /**
   * A subkey for another purpose (e.g. signing sessions), so a fresh install needs
   * no second secret. One-way: the subkey reveals nothing about the master key.
   */
  deriveSubkey(label: string): Buffer {
    return createHmac("sha256", this.keys.get(this.currentKeyId)!).update(`runtime-vault subkey\0${label}`).digest();
  }

  mac(label: string, data: string): string {
    return createHmac("sha256", this.deriveSubkey(`mac:${label}`)).update(data).digest("hex");
  }

  verifyMac(label: string, data: string, mac: string): boolean {
    const given = Buffer.from(mac, "hex");
    for (const key of this.keys.values()) {
      const subkey = createHmac("sha256", key).update(`runtime-vault subkey\0mac:${label}`).digest();
      const expected = createHmac("sha256", subkey).update(data).digest();
      if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
    }
    return false;
  }

  async wrap(dataKey: Buffer) {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.keys.get(this.currentKeyId)!, iv);
    cipher.setAAD(Buffer.from(this.currentKeyId));
    const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return { keyId: this.currentKeyId, wrapped: Buffer.concat([iv, cipher.getAuthTag(), body]) };
  }

  async unwrap(wrapped: Buffer, keyId: string) {
    const key = this.keys.get(keyId);
    if (!key) throw new MasterKeyError(`master key ${keyId} is not configured`);
    const decipher = createDecipheriv("aes-256-gcm", key, wrapped.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(wrapped.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  }
}

/**
 * The provider configured by the environment: RV_MASTER_KEY (base64) or
 * RV_MASTER_KEY_FILE, plus RV_PREVIOUS_MASTER_KEYS (comma-separated base64) so
 * data keys wrapped before a KEK rotation still open until they are rewrapped.
 */
export function keyProviderFromEnv(env: Record<string, string | undefined> = process.env): LocalKeyProvider {
  let current: Buffer;
  if (env.RV_MASTER_KEY) current = parseMasterKey(env.RV_MASTER_KEY, "RV_MASTER_KEY");
  else if (env.RV_MASTER_KEY_FILE) {
    let text: string;
    try {
      text = readFileSync(env.RV_MASTER_KEY_FILE, "utf8");
    } catch {
      throw new MasterKeyError(`RV_MASTER_KEY_FILE ${env.RV_MASTER_KEY_FILE} cannot be read`);
    }
    current = parseMasterKey(text, "RV_MASTER_KEY_FILE");
  } else {
    throw new MasterKeyError(
      "No master key: set RV_MASTER_KEY (32 bytes, base64: `openssl rand -base64 32`) or RV_MASTER_KEY_FILE. Refusing to start without one.",
    );
  }
  const previous = (env.RV_PREVIOUS_MASTER_KEYS ?? "")
    .split(",")
    .filter((s) => s.trim())
    .map((s, i) => parseMasterKey(s, `RV_PREVIOUS_MASTER_KEYS[${i}]`));
  return new LocalKeyProvider(current, previous);
}

let cached: KeyProvider | undefined;

export function getKeyProvider(): KeyProvider {
  cached ??= keyProviderFromEnv();
  return cached;
}

/** Tests and the rewrap command swap providers explicitly. */
export function setKeyProvider(provider: KeyProvider | undefined) {
  cached = provider;
}
