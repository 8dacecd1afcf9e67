// The pkcs11 key provider against a real SoftHSM2 token (test/softhsm.ts): keys that
// never leave the HSM, envelope round trips, the data-key cache, and explicit failure.
import { renameSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSoftHsmToken, type SoftHsmToken } from "../../test/softhsm";
import { ck, loadPkcs11Binding } from "./pkcs11-binding";
import { pkcs11ConfigFromEnv } from "./pkcs11-config";
import { Pkcs11KeyProvider } from "./pkcs11-key-provider";
import { Pkcs11Token } from "./pkcs11-token";
import { cachedDataKeyCount, dropCachedDataKeys } from "./data-key-cache";
import { CompositeKeyProvider, keyProviderFromEnv, KeyProviderUnavailableError, LocalKeyProvider, MasterKeyError } from "./key-provider";
import { EnvelopeOpenError, openValue, sealValue } from "./envelope";

let hsm: SoftHsmToken;
const ctx = { orgId: "org_1", secretId: "sec_1", version: 1 };

beforeAll(() => {
  hsm = createSoftHsmToken();
});

afterAll(() => {
  dropCachedDataKeys();
  hsm?.remove();
});

const provider = (extra: Record<string, string> = {}, cacheSeconds = 60) => new Pkcs11KeyProvider(pkcs11ConfigFromEnv({ ...hsm.env, ...extra }), cacheSeconds);

describe("pkcs11 key provider", () => {
  it("wraps data keys inside the HSM under a p11_ key id, bound to the key id, and opens them again", async () => {
    const keys = provider({}, 0);
    try {
      const sealed = await sealValue(keys, "hsm secret", ctx);
      expect(sealed.keyId).toBe("p11_rv-kek");
      expect(await openValue(keys, sealed, ctx)).toBe("hsm secret");
      // A tampered wrapped key or ciphertext is a bad row (EnvelopeOpenError), not an outage.
      const tampered = Buffer.from(sealed.wrappedKey);
      tampered[tampered.length - 1] ^= 1;
      await expect(openValue(keys, { ...sealed, wrappedKey: tampered }, ctx)).rejects.toBeInstanceOf(EnvelopeOpenError);
      await expect(openValue(keys, sealed, { ...ctx, version: 2 })).rejects.toBeInstanceOf(EnvelopeOpenError);
      // The key id is the GCM AAD: relabelled, the wrapped key does not open.
      await expect(keys.unwrap(Buffer.from(sealed.wrappedKey), "p11_other")).rejects.toThrow(/not one of this HSM's configured keys/);
      // And the session survived all that.
      expect(await openValue(keys, sealed, ctx)).toBe("hsm secret");
    } finally {
      keys.close();
    }
  });

  it("MACs with the HSM's HMAC key: stable, label-separated, verified; the session secret too", () => {
    const keys = provider();
    try {
      const mac = keys.mac("audit-checkpoint", "data");
      expect(mac).toMatch(/^[0-9a-f]{64}$/);
      expect(keys.mac("audit-checkpoint", "data")).toBe(mac);
      expect(keys.mac("other", "data")).not.toBe(mac);
      expect(keys.verifyMac("audit-checkpoint", "data", mac)).toBe(true);
      expect(keys.verifyMac("audit-checkpoint", "datA", mac)).toBe(false);
      expect(keys.secretFor("nextauth-session")).toHaveLength(32);
    } finally {
      keys.close();
    }
  });

  it("the HSM refuses to export either key: CKA_VALUE cannot be read, and they are sensitive and not extractable", () => {
    const token = new Pkcs11Token(pkcs11ConfigFromEnv(hsm.env));
    try {
      token.use((s) => {
        const b = loadPkcs11Binding();
        for (const label of ["rv-kek", "rv-hmac"]) {
          const key = s.key(label);
          expect(() => s.p.C_GetAttributeValue(s.session, key, [{ type: ck(b, "CKA_VALUE") }]), label).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
          const [sensitive, extractable] = s.p.C_GetAttributeValue(s.session, key, [{ type: ck(b, "CKA_SENSITIVE") }, { type: ck(b, "CKA_EXTRACTABLE") }]);
          expect((sensitive.value as Buffer)[0], `${label} sensitive`).toBe(1);
          expect((extractable.value as Buffer)[0], `${label} extractable`).toBe(0);
        }
      });
    } finally {
      token.reset();
    }
  });

  it("asks the HSM once per data key: a cached key opens with the token gone, until the cache is dropped; then 503-class errors, then recovery", async () => {
    const keys = provider({}, 60);
    const away = `${hsm.tokenDir}.away`;
    try {
      dropCachedDataKeys();
      const sealed = await sealValue(keys, "cached value", ctx);
      expect(await openValue(keys, sealed, ctx)).toBe("cached value");
      expect(cachedDataKeyCount()).toBe(1);
      renameSync(hsm.tokenDir, away);
      // The token is gone: the cached data key still opens (no HSM call)...
      expect(await openValue(keys, sealed, ctx)).toBe("cached value");
      // ...new data keys cannot be wrapped, and once the cache is dropped (revoke-all) nothing opens.
      await expect(sealValue(keys, "new", ctx)).rejects.toMatchObject({ name: "KeyProviderUnavailableError", orgId: "org_1" });
      expect(dropCachedDataKeys()).toBe(1);
      await expect(openValue(keys, sealed, ctx)).rejects.toBeInstanceOf(KeyProviderUnavailableError);
      expect(() => keys.mac("x", "y")).toThrow(KeyProviderUnavailableError);
      renameSync(away, hsm.tokenDir);
      // Reconnects on a later use (after the short retry pause), without a new provider.
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await openValue(keys, sealed, ctx)).toBe("cached value");
    } finally {
      try {
        renameSync(away, hsm.tokenDir);
      } catch {
        // Already back.
      }
      keys.close();
    }
  });

  it("a wrong PIN, a missing key, token or module is KeyProviderUnavailableError, never another key", async () => {
    const wrongPin = provider({ RV_PKCS11_PIN: "0000", RV_PKCS11_PIN_FILE: "" }, 0);
    await expect(wrongPin.wrap(randomBytes(32))).rejects.toThrow(/CKR_PIN_INCORRECT/);
    await expect(wrongPin.wrap(randomBytes(32))).rejects.toBeInstanceOf(KeyProviderUnavailableError);
    wrongPin.close();
    const missing = provider({ RV_PKCS11_KEY_LABEL: "no-such-key" }, 0);
    await expect(missing.wrap(randomBytes(32))).rejects.toThrow(/no key labelled "no-such-key"/);
    missing.close();
    const noModule = provider({ RV_PKCS11_MODULE: "/nonexistent/libpkcs11.so" }, 0);
    await expect(noModule.wrap(randomBytes(32))).rejects.toBeInstanceOf(KeyProviderUnavailableError);
    expect(() => noModule.mac("x", "y")).toThrow(/HSM cannot be reached/);
    noModule.close();
    const noToken = provider({ RV_PKCS11_TOKEN_LABEL: "no-such-token" }, 0);
    await expect(noToken.wrap(randomBytes(32))).rejects.toThrow(/has no token labelled "no-such-token"/);
    noToken.close();
  });

  it("is chosen by RV_KEY_PROVIDER, refuses an env master key beside it, and takes env keys as previous ones", async () => {
    const envKey = randomBytes(32);
    expect(() => keyProviderFromEnv({ ...hsm.env, RV_MASTER_KEY: envKey.toString("base64") })).toThrow(MasterKeyError);
    expect(() => keyProviderFromEnv({ RV_KEY_PROVIDER: "kms" })).toThrow(/RV_KEY_PROVIDER must be env or pkcs11/);
    expect(() => keyProviderFromEnv({ RV_KEY_PROVIDER: "pkcs11", RV_PKCS11_MODULE: hsm.env.RV_PKCS11_MODULE })).toThrow(/RV_PKCS11_TOKEN_LABEL/);

    const underEnv = await sealValue(new LocalKeyProvider(envKey), "from env", ctx);
    const moving = keyProviderFromEnv({ ...hsm.env, RV_PREVIOUS_MASTER_KEYS: envKey.toString("base64") });
    expect(moving).toBeInstanceOf(CompositeKeyProvider);
    expect(moving.currentKeyId).toBe("p11_rv-kek");
    expect(await openValue(moving, underEnv, ctx)).toBe("from env");
    const underHsm = await sealValue(moving, "from hsm", ctx);
    expect(underHsm.keyId).toBe("p11_rv-kek");

    // Back: the env key current, the HSM configured beside it opens what it wrapped.
    const back = keyProviderFromEnv({ ...hsm.env, RV_KEY_PROVIDER: "env", RV_MASTER_KEY: envKey.toString("base64") });
    expect(back.currentKeyId).toMatch(/^kek_/);
    expect(await openValue(back, underHsm, ctx)).toBe("from hsm");
    // Without the HSM configured, an HSM-wrapped key is refused: no fallback to the env key.
    await expect(new LocalKeyProvider(envKey).unwrap(Buffer.from(underHsm.wrappedKey), underHsm.keyId)).rejects.toThrow(MasterKeyError);
    moving.close?.();
    back.close?.();
  });
});
