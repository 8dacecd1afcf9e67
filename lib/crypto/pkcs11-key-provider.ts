// Key provider backed by an HSM through PKCS#11: the key-encryption key and the HMAC key
// are created in the token non-extractable, so neither ever exists in the app's memory.
// Data keys are wrapped with CKM_AES_GCM inside the HSM, with the key id as additional
// authenticated data exactly like the env provider; checkpoint MACs and the
// session-signing default use CKM_SHA256_HMAC inside the HSM.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { ck } from "./pkcs11-binding";
import { pkcs11KeyId, type Pkcs11Config } from "./pkcs11-config";
import { Pkcs11Token, type Pkcs11Session } from "./pkcs11-token";
import { cacheDataKey, cachedDataKey } from "./data-key-cache";
import type { KeyProvider } from "./key-provider";

const IV_BYTES = 12;
const TAG_BITS = 128;
const DATA_KEY_BYTES = 32;

export class Pkcs11KeyProvider implements KeyProvider {
  readonly currentKeyId: string;
  /** key id → label, for the current and the previous KEKs. */
  private readonly labels = new Map<string, string>();
  private readonly token: Pkcs11Token;

  constructor(
    private readonly config: Pkcs11Config,
    private readonly cacheSeconds = 60,
  ) {
    this.currentKeyId = pkcs11KeyId(config.keyLabel);
    for (const label of [config.keyLabel, ...config.previousKeyLabels]) this.labels.set(pkcs11KeyId(label), label);
    this.token = new Pkcs11Token(config);
  }

  has(keyId: string): boolean {
    return this.labels.has(keyId);
  }

  async wrap(dataKey: Buffer) {
    const keyId = this.currentKeyId;
    const iv = randomBytes(IV_BYTES);
    const body = this.token.use((s) => {
      s.p.C_EncryptInit(s.session, gcm(s, iv, keyId), s.key(this.config.keyLabel));
      return Buffer.from(s.p.C_Encrypt(s.session, dataKey, Buffer.alloc(dataKey.length + TAG_BITS / 8 + 16)));
    });
    return { keyId, wrapped: Buffer.concat([iv, body]) };
  }

  async unwrap(wrapped: Buffer, keyId: string) {
    const label = this.labels.get(keyId);
    if (!label) throw new Error(`data key wrapped by ${keyId}, which is not one of this HSM's configured keys`);
    const cacheId = `${keyId}:${createHash("sha256").update(wrapped).digest("base64")}`;
    const cached = cachedDataKey(cacheId);
    if (cached) return cached;
    const dataKey = this.token.use((s) => {
      s.p.C_DecryptInit(s.session, gcm(s, wrapped.subarray(0, IV_BYTES), keyId), s.key(label));
      const out = Buffer.alloc(wrapped.length);
      try {
        return Buffer.from(s.p.C_Decrypt(s.session, wrapped.subarray(IV_BYTES), out));
      } finally {
        out.fill(0); // the copy above is the only one left of the plaintext data key
      }
    }, { decrypting: true });
    if (dataKey.length !== DATA_KEY_BYTES) throw new Error("unwrapped data key has the wrong length");
    cacheDataKey(cacheId, dataKey, this.cacheSeconds);
    return dataKey;
  }

  private hmac(input: string): Buffer {
    return this.token.use((s) => {
      s.p.C_SignInit(s.session, { mechanism: ck(s.b, "CKM_SHA256_HMAC") }, s.key(this.config.hmacKeyLabel));
      return Buffer.from(s.p.C_Sign(s.session, Buffer.from(input, "utf8"), Buffer.alloc(32)));
    });
  }

  mac(label: string, data: string): string {
    return this.hmac(`runtime-vault mac\0${label}\0${data}`).toString("hex");
  }

  verifyMac(label: string, data: string, mac: string): boolean {
    const given = Buffer.from(mac, "hex");
    const expected = this.hmac(`runtime-vault mac\0${label}\0${data}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** The session-signing default: an HMAC computed inside the HSM, not a subkey of the KEK. */
  secretFor(label: string): Buffer {
    return this.hmac(`runtime-vault secret\0${label}`);
  }

  close() {
    this.token.reset();
  }
}

function gcm(s: Pkcs11Session, iv: Buffer, keyId: string) {
  return {
    mechanism: ck(s.b, "CKM_AES_GCM"),
    parameter: { type: ck(s.b, "CK_PARAMS_AES_GCM"), iv, ivBits: IV_BYTES * 8, aad: Buffer.from(keyId), tagBits: TAG_BITS },
  };
}
