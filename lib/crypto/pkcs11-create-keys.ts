// `npm run key:hsm-init`: creates the vault's two keys in the HSM token, generated inside
// it and never extractable: the AES-256 key-encryption key (CKM_AES_GCM) and a 256-bit
// generic secret for CKM_SHA256_HMAC. Refuses to replace a key that already exists:
// data keys wrapped by it would never open again.
import { ck } from "./pkcs11-binding";
import type { Pkcs11Config } from "./pkcs11-config";
import { Pkcs11Token } from "./pkcs11-token";

export interface CreatedKeys {
  created: string[];
  existing: string[];
}

export function createPkcs11Keys(config: Pkcs11Config): CreatedKeys {
  const token = new Pkcs11Token({ ...config, checkKeys: false });
  const result: CreatedKeys = { created: [], existing: [] };
  try {
    token.use((s) => {
      const { b, p } = s;
      // Key generation needs a read-write session.
      const session = p.C_OpenSession(s.slot, ck(b, "CKF_SERIAL_SESSION") | ck(b, "CKF_RW_SESSION"));
      try {
        const keys = [
          { label: config.keyLabel, mechanism: "CKM_AES_KEY_GEN", keyType: "CKK_AES", usage: ["CKA_ENCRYPT", "CKA_DECRYPT"] },
          { label: config.hmacKeyLabel, mechanism: "CKM_GENERIC_SECRET_KEY_GEN", keyType: "CKK_GENERIC_SECRET", usage: ["CKA_SIGN", "CKA_VERIFY"] },
        ];
        for (const key of keys) {
          if (s.exists(key.label)) {
            result.existing.push(key.label);
            continue;
          }
          p.C_GenerateKey(session, { mechanism: ck(b, key.mechanism) }, [
            { type: ck(b, "CKA_CLASS"), value: ck(b, "CKO_SECRET_KEY") },
            { type: ck(b, "CKA_KEY_TYPE"), value: ck(b, key.keyType) },
            { type: ck(b, "CKA_LABEL"), value: key.label },
            { type: ck(b, "CKA_VALUE_LEN"), value: 32 },
            { type: ck(b, "CKA_TOKEN"), value: true },
            { type: ck(b, "CKA_PRIVATE"), value: true },
            { type: ck(b, "CKA_SENSITIVE"), value: true },
            { type: ck(b, "CKA_EXTRACTABLE"), value: false },
            { type: ck(b, "CKA_MODIFIABLE"), value: false },
            ...key.usage.map((name) => ({ type: ck(b, name), value: true })),
          ]);
          result.created.push(key.label);
        }
      } finally {
        p.C_CloseSession(session);
      }
    });
  } finally {
    token.reset();
  }
  return result;
}
