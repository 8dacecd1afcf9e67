// Start and stop of the process's key provider (instrumentation.ts).
import { getKeyProvider, keyProviderKind, MasterKeyError } from "./key-provider";
import { dropCachedDataKeys } from "./data-key-cache";

/** Shutdown: cached data keys zeroed, the HSM session closed. Never throws. */
export function closeKeyProvider() {
  dropCachedDataKeys();
  try {
    getKeyProvider().close?.();
  } catch {
    // No provider could be built: nothing to close.
  }
}

/** With an HSM, says at start whether it answers (it is not required to: requests wait for it). */
export function checkKeyProvider() {
  try {
    if (keyProviderKind() !== "pkcs11") return;
    getKeyProvider().mac("startup-check", "");
    console.log(`[runtime-vault] key provider: pkcs11 (${process.env.RV_PKCS11_MODULE}), keys found`);
  } catch (err) {
    if (err instanceof MasterKeyError) return; // The production check above reports configuration errors.
    console.error(`[runtime-vault] key provider: pkcs11 not usable yet (requests needing the key answer 503 until it is): ${(err as Error).message}`);
  }
}
