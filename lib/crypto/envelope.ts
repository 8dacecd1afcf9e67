// Envelope encryption of secret values: a fresh 256-bit data key per version,
// AES-256-GCM with the org, secret and version bound as additional authenticated data.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { KeyProvider } from "./key-provider";
import { KeyProviderUnavailableError } from "./key-provider-unavailable";

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface EnvelopeContext {
  orgId: string;
  secretId: string;
  version: number;
}

export interface SealedValue {
  ciphertext: Buffer;
  wrappedKey: Buffer;
  keyId: string;
}

function aad({ orgId, secretId, version }: EnvelopeContext): Buffer {
  return Buffer.from(`runtime-vault/v1\0${orgId}\0${secretId}\0${version}`, "utf8");
}

export async function sealValue(keys: KeyProvider, value: string, ctx: EnvelopeContext): Promise<SealedValue> {
  const dataKey = randomBytes(32);
  try {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", dataKey, iv);
    cipher.setAAD(aad(ctx));
    const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
    const { keyId, wrapped } = await keys.wrap(dataKey);
    return { ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]), wrappedKey: wrapped, keyId };
  } catch (err) {
    throw inOrg(err, ctx);
  } finally {
    dataKey.fill(0);
  }
}

export class EnvelopeOpenError extends Error {
  constructor() {
    super("secret value could not be decrypted (wrong key or tampered row)");
    this.name = "EnvelopeOpenError";
  }
}

export async function openValue(keys: KeyProvider, sealed: SealedValue, ctx: EnvelopeContext): Promise<string> {
  let dataKey: Buffer | undefined;
  try {
    dataKey = await keys.unwrap(Buffer.from(sealed.wrappedKey), sealed.keyId);
    const ct = Buffer.from(sealed.ciphertext);
    const decipher = createDecipheriv("aes-256-gcm", dataKey, ct.subarray(0, IV_BYTES));
    decipher.setAAD(aad(ctx));
    decipher.setAuthTag(ct.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(ct.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch (err) {
    // An HSM that is down is not a bad row: the caller answers 503, and nothing else is tried.
    if (err instanceof KeyProviderUnavailableError) throw inOrg(err, ctx);
    throw new EnvelopeOpenError();
  } finally {
    dataKey?.fill(0);
  }
}

/** The org whose request met the unavailable provider, so the refusal is audited there. */
function inOrg(err: unknown, ctx: EnvelopeContext): unknown {
  if (err instanceof KeyProviderUnavailableError) err.orgId ??= ctx.orgId;
  return err;
}
