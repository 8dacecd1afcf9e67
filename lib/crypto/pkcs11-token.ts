// One logged-in session on the HSM token, opened on first use and opened again after
// any failure (token removed, session lost, HSM restarted), so the vault recovers
// without a restart. Calls are synchronous: each operation is an Init + a call on the
// one session, which nothing can interleave on Node's single thread.
import { ck, loadPkcs11Binding, Pkcs11BindingError, type Handle, type Pkcs11Binding, type Pkcs11Module } from "./pkcs11-binding";
import type { Pkcs11Config } from "./pkcs11-config";
import { Pkcs11ConfigError } from "./pkcs11-config";
import { KeyProviderUnavailableError } from "./key-provider-unavailable";

export interface Pkcs11Session {
  b: Pkcs11Binding;
  p: Pkcs11Module;
  slot: Handle;
  session: Handle;
  /** Whether the token holds a secret key with this label. */
  exists(label: string): boolean;
  /** Handle of the secret key with this label; KeyProviderUnavailableError when missing. */
  key(label: string): Handle;
}

/** A ciphertext the HSM refused as such (tampered or wrapped by another key): not an outage. */
export class Pkcs11DataError extends Error {}

const DATA_ERRORS = /CKR_(ENCRYPTED_DATA_INVALID|ENCRYPTED_DATA_LEN_RANGE|DATA_LEN_RANGE|DATA_INVALID)/;
const PIN_ERRORS = /CKR_PIN_(INCORRECT|INVALID|LEN_RANGE|EXPIRED|LOCKED)/;
// After a failed connect, wait this long before the next attempt; requests meanwhile fail fast.
const RETRY_MS = 1_000;
// A wrong PIN is retried rarely: HSMs lock the user out after a few wrong logins.
const PIN_RETRY_MS = 30_000;

function describe(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  return message.split("\n")[0];
}

export class Pkcs11Token {
  private module: Pkcs11Module | undefined;
  private current: Pkcs11Session | undefined;
  private failedUntil = 0;
  private lastFailure = "";

  /** checkKeys false: connect even when the keys are missing (creating them). */
  constructor(private readonly config: Pkcs11Config & { checkKeys?: boolean }) {}

  /**
   * Runs `fn` on the session, connecting first when needed. `decrypting`: a failure may
   * be the ciphertext's (some HSMs, SoftHSM2 among them, answer a wrong GCM tag with
   * CKR_GENERAL_ERROR), so the session is probed before it is declared lost.
   */
  use<T>(fn: (s: Pkcs11Session) => T, { decrypting = false } = {}): T {
    const s = this.connect();
    try {
      return fn(s);
    } catch (err) {
      if (DATA_ERRORS.test(describe(err))) throw new Pkcs11DataError(describe(err));
      if (decrypting && !(err instanceof KeyProviderUnavailableError) && this.healthy(s)) throw new Pkcs11DataError(describe(err));
      this.reset();
      if (err instanceof KeyProviderUnavailableError) throw err;
      throw new KeyProviderUnavailableError(`the HSM failed: ${describe(err)}`);
    }
  }

  /** Whether the session still signs with the HMAC key. */
  private healthy(s: Pkcs11Session): boolean {
    try {
      s.p.C_SignInit(s.session, { mechanism: ck(s.b, "CKM_SHA256_HMAC") }, s.key(this.config.hmacKeyLabel));
      s.p.C_Sign(s.session, Buffer.from("runtime-vault probe"), Buffer.alloc(32));
      return true;
    } catch {
      return false;
    }
  }

  /** Logs out and lets go of the library (shutdown; also after any failure). */
  reset() {
    const p = this.module;
    if (this.current && p) {
      try {
        p.C_CloseSession(this.current.session);
      } catch {
        // The session is already gone.
      }
    }
    this.current = undefined;
    if (p) {
      try {
        p.C_Finalize();
      } catch {
        // Not initialised.
      }
    }
  }

  private connect(): Pkcs11Session {
    if (this.current) return this.current;
    if (Date.now() < this.failedUntil) throw new KeyProviderUnavailableError(this.lastFailure);
    try {
      this.current = this.open();
      return this.current;
    } catch (err) {
      this.reset();
      const reason = err instanceof KeyProviderUnavailableError || err instanceof Pkcs11BindingError || err instanceof Pkcs11ConfigError ? err.message : `the HSM cannot be reached: ${describe(err)}`;
      this.lastFailure = reason;
      this.failedUntil = Date.now() + (PIN_ERRORS.test(reason) ? PIN_RETRY_MS : RETRY_MS);
      throw new KeyProviderUnavailableError(reason);
    }
  }

  private open(): Pkcs11Session {
    const b = loadPkcs11Binding();
    if (!this.module) {
      const p = new b.PKCS11();
      p.load(this.config.module);
      this.module = p;
    }
    const p = this.module;
    try {
      p.C_Initialize();
    } catch (err) {
      // Another provider in this process (a test, a script) initialised the library.
      if (!/CKR_CRYPTOKI_ALREADY_INITIALIZED/.test(describe(err))) throw err;
    }
    const slot = this.findSlot(p);
    const session = p.C_OpenSession(slot, ck(b, "CKF_SERIAL_SESSION"));
    try {
      p.C_Login(session, ck(b, "CKU_USER"), this.config.pin());
    } catch (err) {
      if (!/CKR_USER_ALREADY_LOGGED_IN/.test(describe(err))) throw new KeyProviderUnavailableError(`the HSM refused the login: ${describe(err)}`);
    }
    const handles = new Map<string, Handle>();
    const key = (label: string) => {
      let handle = handles.get(label);
      if (!handle) {
        handle = findSecretKey(b, p, session, label);
        handles.set(label, handle);
      }
      return handle;
    };
    const exists = (label: string) => findSecretKeys(p, b, session, label).length > 0;
    // Both keys now, so a missing one shows on the first use rather than later.
    if (this.config.checkKeys !== false) {
      key(this.config.keyLabel);
      key(this.config.hmacKeyLabel);
    }
    return { b, p, slot, session, key, exists };
  }

  private findSlot(p: Pkcs11Module): Handle {
    const slots = p.C_GetSlotList(true);
    for (const slot of slots) {
      if (this.config.slot !== undefined) {
        if (slotId(slot) === this.config.slot) return slot;
        continue;
      }
      if (p.C_GetTokenInfo(slot).label.trim() === this.config.tokenLabel) return slot;
    }
    const wanted = this.config.slot !== undefined ? `slot ${this.config.slot}` : `token labelled "${this.config.tokenLabel}"`;
    throw new KeyProviderUnavailableError(`the HSM has no ${wanted} (${slots.length} token(s) present)`);
  }
}

function slotId(slot: Handle): number {
  return slot.length >= 8 ? Number(slot.readBigUInt64LE(0)) : slot.readUInt32LE(0);
}

function findSecretKeys(p: Pkcs11Module, b: Pkcs11Binding, session: Handle, label: string): Handle[] {
  p.C_FindObjectsInit(session, [
    { type: ck(b, "CKA_CLASS"), value: ck(b, "CKO_SECRET_KEY") },
    { type: ck(b, "CKA_LABEL"), value: label },
  ]);
  try {
    return p.C_FindObjects(session, 2);
  } finally {
    p.C_FindObjectsFinal(session);
  }
}

function findSecretKey(b: Pkcs11Binding, p: Pkcs11Module, session: Handle, label: string): Handle {
  const found = findSecretKeys(p, b, session, label);
  if (found.length === 0) throw new KeyProviderUnavailableError(`the HSM token has no key labelled "${label}" (create it: npm run key:hsm-init)`);
  if (found.length > 1) throw new KeyProviderUnavailableError(`the HSM token has more than one key labelled "${label}"; labels must be unique`);
  return found[0];
}
