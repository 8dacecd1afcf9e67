// `npm run key:hsm-init`: creates the vault's keys in the HSM token named by the
// RV_PKCS11_* variables (README, "Master key in an HSM"): the AES-256 key-encryption key
// (RV_PKCS11_KEY_LABEL, default rv-kek) and the HMAC key (RV_PKCS11_HMAC_KEY_LABEL,
// default rv-hmac), both generated inside the token, sensitive and not extractable.
// Keys that already exist are left alone, so running it twice is harmless.
import { pkcs11ConfigFromEnv, Pkcs11ConfigError } from "../lib/crypto/pkcs11-config";
import { createPkcs11Keys } from "../lib/crypto/pkcs11-create-keys";
import { Pkcs11BindingError } from "../lib/crypto/pkcs11-binding";
import { KeyProviderUnavailableError } from "../lib/crypto/key-provider-unavailable";

try {
  const config = pkcs11ConfigFromEnv(process.env);
  const { created, existing } = createPkcs11Keys(config);
  for (const label of created) console.log(`created key "${label}" in the token (sensitive, not extractable)`);
  for (const label of existing) console.log(`key "${label}" already exists; left as it is`);
} catch (err) {
  if (err instanceof Pkcs11ConfigError || err instanceof Pkcs11BindingError || err instanceof KeyProviderUnavailableError) {
    console.error(`key:hsm-init: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
