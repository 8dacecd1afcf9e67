// A SoftHSM2 token of the test's own: a temp token folder and config, a token
// initialised with a user PIN, and the vault's keys created in it by the same code as
// `npm run key:hsm-init`. Needs Debian's softhsm2 and the built pkcs11js binding
// (scripts/check-pkcs11.ts says how to get them).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadPkcs11Binding, Pkcs11BindingError } from "../lib/crypto/pkcs11-binding";
import { pkcs11ConfigFromEnv } from "../lib/crypto/pkcs11-config";
import { createPkcs11Keys } from "../lib/crypto/pkcs11-create-keys";

export const SOFTHSM_MODULE = process.env.RV_TEST_PKCS11_MODULE ?? "/usr/lib/softhsm/libsofthsm2.so";

/** Why the HSM tests cannot run here, or undefined when they can. */
export function softHsmProblem(): string | undefined {
  const softhsm = spawnSync("softhsm2-util", ["--version"], { encoding: "utf8" });
  if (softhsm.error || !existsSync(SOFTHSM_MODULE)) {
    return `The HSM tests need SoftHSM2: apt-get install -y softhsm2 (not found: softhsm2-util or ${SOFTHSM_MODULE})`;
  }
  try {
    loadPkcs11Binding();
  } catch (err) {
    if (err instanceof Pkcs11BindingError) return err.message;
    throw err;
  }
  return undefined;
}

export interface SoftHsmToken {
  dir: string;
  /** SOFTHSM2_CONF and the RV_PKCS11_* variables of a server using this token. */
  env: Record<string, string>;
  tokenDir: string;
  pin: string;
  remove(): void;
}

/** A fresh token with the vault's keys; SOFTHSM2_CONF is set in this process too. */
export function createSoftHsmToken(label = "rv"): SoftHsmToken {
  const dir = mkdtempSync(path.join(tmpdir(), "rv-softhsm-"));
  const tokenDir = path.join(dir, "tokens");
  mkdirSync(tokenDir);
  const conf = path.join(dir, "softhsm2.conf");
  writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const pin = "1234";
  const pinFile = path.join(dir, "pin");
  writeFileSync(pinFile, `${pin}\n`, { mode: 0o600 });
  execFileSync("softhsm2-util", ["--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", "5678"], { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: "pipe" });
  process.env.SOFTHSM2_CONF = conf;
  const env = {
    SOFTHSM2_CONF: conf,
    RV_KEY_PROVIDER: "pkcs11",
    RV_PKCS11_MODULE: SOFTHSM_MODULE,
    RV_PKCS11_TOKEN_LABEL: label,
    RV_PKCS11_PIN_FILE: pinFile,
  };
  createPkcs11Keys(pkcs11ConfigFromEnv(env));
  return { dir, env, tokenDir, pin, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
