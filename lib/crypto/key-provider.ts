// Key-encryption keys. Data keys are wrapped by a KeyProvider so an external KMS
// can replace the local master key without touching the envelope format.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { KeyProviderUnavailableError } from "./key-provider-unavailable";
import { pkcs11ConfigFromEnv, Pkcs11ConfigError } from "./pkcs11-config";
import { Pkcs11KeyProvider } from "./pkcs11-key-provider";
import { dataKeyCacheSeconds } from "./data-key-cache";

export { KeyProviderUnavailableError };

export interface KeyProvider {
  /** Id of the key new data keys are wrapped with. */
  readonly currentKeyId: string;
  wrap(dataKey: Buffer): Promise<{ keyId: string; wrapped: Buffer }>;
  unwrap(wrapped: Buffer, keyId: string): Promise<Buffer>;
  /** HMAC-SHA256 under a subkey of the current key, for checkpoints kept in the database. */
  mac(label: string, data: string): string;
  /** True when `mac` was made by the current or a previous key. */
  verifyMac(label: string, data: string, mac: string): boolean;
  /** Whether data keys wrapped under `keyId` open here. */
  has(keyId: string): boolean;
  /**
   * A secret for another purpose (the session-signing default), so a fresh install needs
   * no second secret. One-way: it reveals nothing about the keys it comes from.
   */
  secretFor(label: string): Buffer;
  /** Closes the HSM session, if any (shutdown; the data-key cache is dropped by closeKeyProvider). */
  close?(): void;
}

const MASTER_KEY_ERROR = Symbol.for("runtime-vault.master-key-error");

/** Configuration of the master key is wrong or incomplete. Branded, as KeyProviderUnavailableError, across server bundles. */
export class MasterKeyError extends Error {
  readonly [MASTER_KEY_ERROR] = true;
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [MASTER_KEY_ERROR]?: boolean })[MASTER_KEY_ERROR] === true;
  }
}

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

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  secretFor(label: string): Buffer {
    return this.deriveSubkey(label);
  }

  /** A subkey for another purpose; one-way: it reveals nothing about the master key. */
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
 * A current provider plus older ones whose data keys still open until rewrapped: how
 * data keys move from an env key to an HSM key and back (lib/keys/rewrap-data-keys.ts).
 * New data keys and MACs always come from the current one; nothing falls back to another.
 */
export class CompositeKeyProvider implements KeyProvider {
  readonly currentKeyId: string;

  constructor(
    private readonly current: KeyProvider,
    private readonly previous: KeyProvider[],
  ) {
    this.currentKeyId = current.currentKeyId;
  }

  has(keyId: string) {
    return this.current.has(keyId) || this.previous.some((p) => p.has(keyId));
  }

  wrap(dataKey: Buffer) {
    return this.current.wrap(dataKey);
  }

  unwrap(wrapped: Buffer, keyId: string) {
    const owner = [this.current, ...this.previous].find((p) => p.has(keyId));
    if (!owner) throw new MasterKeyError(`master key ${keyId} is not configured`);
    return owner.unwrap(wrapped, keyId);
  }

  mac(label: string, data: string) {
    return this.current.mac(label, data);
  }

  verifyMac(label: string, data: string, mac: string) {
    return [this.current, ...this.previous].some((p) => p.verifyMac(label, data, mac));
  }

  secretFor(label: string) {
    return this.current.secretFor(label);
  }

  close() {
    for (const p of [this.current, ...this.previous]) p.close?.();
  }
}

export type KeyProviderKind = "env" | "pkcs11";

export function keyProviderKind(env: Record<string, string | undefined> = process.env): KeyProviderKind {
  const kind = env.RV_KEY_PROVIDER?.trim() || "env";
  if (kind !== "env" && kind !== "pkcs11") throw new MasterKeyError(`RV_KEY_PROVIDER must be env or pkcs11 (got ${JSON.stringify(kind)})`);
  return kind;
}

function previousMasterKeys(env: Record<string, string | undefined>): Buffer[] {
  return (env.RV_PREVIOUS_MASTER_KEYS ?? "")
    .split(",")
    .filter((s) => s.trim())
    .map((s, i) => parseMasterKey(s, `RV_PREVIOUS_MASTER_KEYS[${i}]`));
}

function pkcs11FromEnv(env: Record<string, string | undefined>): Pkcs11KeyProvider {
  try {
    return new Pkcs11KeyProvider(pkcs11ConfigFromEnv(env), dataKeyCacheSeconds(env));
  } catch (err) {
    if (err instanceof Pkcs11ConfigError) throw new MasterKeyError(err.message);
    throw err;
  }
}

/**
 * The env provider: RV_MASTER_KEY (base64) or RV_MASTER_KEY_FILE, plus
 * RV_PREVIOUS_MASTER_KEYS (comma-separated base64) so data keys wrapped before a KEK
 * rotation still open until they are rewrapped.
 */
export function localKeyProviderFromEnv(env: Record<string, string | undefined> = process.env): LocalKeyProvider {
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
  return new LocalKeyProvider(current, previousMasterKeys(env));
}

/**
 * The provider configured by the environment (RV_KEY_PROVIDER, README "Master key in an
 * HSM"). Builds nothing but configuration: the HSM is first reached on first use.
 * - env (default): the local master key; with RV_PKCS11_MODULE also set, the HSM's keys
 *   open older data keys (moving back from an HSM).
 * - pkcs11: the HSM's keys; RV_PREVIOUS_MASTER_KEYS open data keys still under env keys
 *   (moving onto the HSM). RV_MASTER_KEY(_FILE) is refused: the point is not to have it.
 */
export function keyProviderFromEnv(env: Record<string, string | undefined> = process.env): KeyProvider {
  if (keyProviderKind(env) === "pkcs11") {
    if (env.RV_MASTER_KEY || env.RV_MASTER_KEY_FILE) {
      throw new MasterKeyError(
        "RV_KEY_PROVIDER=pkcs11 keeps the master key in the HSM: unset RV_MASTER_KEY and RV_MASTER_KEY_FILE (give an old env key in RV_PREVIOUS_MASTER_KEYS while its data keys are rewrapped)",
      );
    }
    const hsm = pkcs11FromEnv(env);
    const previous = previousMasterKeys(env);
    return previous.length ? new CompositeKeyProvider(hsm, [new LocalKeyProvider(previous[0], previous.slice(1))]) : hsm;
  }
  const local = localKeyProviderFromEnv(env);
  return env.RV_PKCS11_MODULE ? new CompositeKeyProvider(local, [pkcs11FromEnv(env)]) : local;
}

// One provider per process, on globalThis so every bundle of the server shares it (and
// its one HSM session).
const PROVIDER = Symbol.for("runtime-vault.key-provider");
type Global = typeof globalThis & { [PROVIDER]?: KeyProvider };

export function getKeyProvider(): KeyProvider {
  const g = globalThis as Global;
  g[PROVIDER] ??= keyProviderFromEnv();
  return g[PROVIDER];
}

/** Tests and the rewrap command swap providers explicitly. */
export function setKeyProvider(provider: KeyProvider | undefined) {
  (globalThis as Global)[PROVIDER] = provider;
}
