import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EnvelopeOpenError, openValue, sealValue, type SealedValue } from "./envelope";
import { keyProviderFromEnv, LocalKeyProvider, MasterKeyError, masterKeyId } from "./key-provider";

const key = randomBytes(32);
const keys = new LocalKeyProvider(key);
const ctx = { orgId: "org_aaaaaaaaaaaaaaaaaaaaaaaa", secretId: "sec_bbbbbbbbbbbbbbbbbbbbbbbb", version: 3 };

function flip(buf: Buffer, at: number): Buffer {
  const copy = Buffer.from(buf);
  copy[at] ^= 0x01;
  return copy;
}

describe("envelope", () => {
  it("round-trips values, including empty and non-ASCII ones", async () => {
    for (const value of ["s3cr3t", "", "pässwörd ✓ 🔑", "x".repeat(64 * 1024)]) {
      const sealed = await sealValue(keys, value, ctx);
      expect(sealed.keyId).toBe(keys.currentKeyId);
      expect(sealed.ciphertext.includes(Buffer.from(value))).toBe(value === "");
      expect(await openValue(keys, sealed, ctx)).toBe(value);
    }
  });

  it("uses a fresh data key and IV every time", async () => {
    const a = await sealValue(keys, "same", ctx);
    const b = await sealValue(keys, "same", ctx);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.wrappedKey.equals(b.wrappedKey)).toBe(false);
  });

  it("does not open when copied onto another org, secret or version", async () => {
    const sealed = await sealValue(keys, "bound", ctx);
    for (const other of [
      { ...ctx, orgId: "org_cccccccccccccccccccccccc" },
      { ...ctx, secretId: "sec_dddddddddddddddddddddddd" },
      { ...ctx, version: 4 },
    ]) {
      await expect(openValue(keys, sealed, other)).rejects.toThrow(EnvelopeOpenError);
    }
  });

  it("does not open under a wrong KEK", async () => {
    const sealed = await sealValue(keys, "value", ctx);
    const other = new LocalKeyProvider(randomBytes(32));
    await expect(openValue(other, sealed, ctx)).rejects.toThrow(EnvelopeOpenError);
    // Even when the row claims the other key's id, its wrapped key does not verify.
    await expect(openValue(other, { ...sealed, keyId: other.currentKeyId }, ctx)).rejects.toThrow(EnvelopeOpenError);
  });

  it("detects tampering with the ciphertext, its IV or tag, or the wrapped key", async () => {
    const sealed = await sealValue(keys, "tamper me", ctx);
    const variants: SealedValue[] = [
      { ...sealed, ciphertext: flip(sealed.ciphertext, 0) }, // IV
      { ...sealed, ciphertext: flip(sealed.ciphertext, 12) }, // tag
      { ...sealed, ciphertext: flip(sealed.ciphertext, sealed.ciphertext.length - 1) }, // body
      { ...sealed, ciphertext: sealed.ciphertext.subarray(0, sealed.ciphertext.length - 1) }, // truncated
      { ...sealed, wrappedKey: flip(sealed.wrappedKey, sealed.wrappedKey.length - 1) },
    ];
    for (const v of variants) await expect(openValue(keys, v, ctx)).rejects.toThrow(EnvelopeOpenError);
  });

  it("keeps the value out of the error", async () => {
    const sealed = await sealValue(keys, "do-not-leak-this", ctx);
    const err = await openValue(keys, sealed, { ...ctx, version: 9 }).catch((e: Error) => e);
    expect(String(err)).not.toContain("do-not-leak-this");
  });
});

describe("keyProviderFromEnv", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rv-keys-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses to run without a key, naming the variables to set", () => {
    expect(() => keyProviderFromEnv({})).toThrow(MasterKeyError);
    expect(() => keyProviderFromEnv({})).toThrow(/RV_MASTER_KEY.*RV_MASTER_KEY_FILE/);
  });

  it("rejects a key of the wrong length without echoing it", () => {
    const short = randomBytes(16).toString("base64");
    const err = (() => {
      try {
        keyProviderFromEnv({ RV_MASTER_KEY: short });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(MasterKeyError);
    expect(err!.message).toMatch(/RV_MASTER_KEY must be 32 bytes .*got 16 bytes/);
    expect(err!.message).not.toContain(short);
    expect(() => keyProviderFromEnv({ RV_MASTER_KEY: key.toString("base64"), RV_PREVIOUS_MASTER_KEYS: "c2hvcnQ=" })).toThrow(
      /RV_PREVIOUS_MASTER_KEYS\[0\] must be 32 bytes/,
    );
  });

  it("reads RV_MASTER_KEY_FILE, and says so when it cannot", () => {
    const file = path.join(dir, "master.key");
    writeFileSync(file, key.toString("base64") + "\n", { mode: 0o600 });
    expect(keyProviderFromEnv({ RV_MASTER_KEY_FILE: file }).currentKeyId).toBe(masterKeyId(key));
    expect(() => keyProviderFromEnv({ RV_MASTER_KEY_FILE: path.join(dir, "missing.key") })).toThrow(/RV_MASTER_KEY_FILE .* cannot be read/);
    const bad = path.join(dir, "bad.key");
    writeFileSync(bad, "not a key");
    chmodSync(bad, 0o600);
    expect(() => keyProviderFromEnv({ RV_MASTER_KEY_FILE: bad })).toThrow(/RV_MASTER_KEY_FILE must be 32 bytes/);
  });

  it("opens values wrapped by a previous key and wraps new ones with the current", async () => {
    const oldKey = randomBytes(32);
    const sealed = await sealValue(new LocalKeyProvider(oldKey), "before rotation", ctx);
    const rotated = keyProviderFromEnv({ RV_MASTER_KEY: key.toString("base64"), RV_PREVIOUS_MASTER_KEYS: ` ${oldKey.toString("base64")} ,` });
    expect(rotated.currentKeyId).toBe(masterKeyId(key));
    expect(await openValue(rotated, sealed, ctx)).toBe("before rotation");
    expect((await sealValue(rotated, "after", ctx)).keyId).toBe(masterKeyId(key));
  });
});
