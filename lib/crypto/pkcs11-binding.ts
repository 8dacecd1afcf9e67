// The PKCS#11 binding (pkcs11js, an optional dependency with a native part). Loaded
// only when the pkcs11 key provider is used, through a require the bundler cannot see,
// so the default install needs neither the package nor a compiler. The types below are
// the few calls we make, so type checking does not need the package either.
import { createRequire } from "node:module";
import path from "node:path";

export type Handle = Buffer;

export interface Pkcs11Attribute {
  type: number;
  value?: number | boolean | string | Buffer;
}

export interface Pkcs11Mechanism {
  mechanism: number;
  parameter?: Buffer | number | { type: number; iv?: Buffer; ivBits?: number; aad?: Buffer; tagBits?: number };
}

export interface Pkcs11Module {
  load(path: string): void;
  C_Initialize(): void;
  C_Finalize(): void;
  C_GetSlotList(tokenPresent?: boolean): Handle[];
  C_GetTokenInfo(slot: Handle): { label: string; serialNumber: string };
  C_OpenSession(slot: Handle, flags: number): Handle;
  C_CloseSession(session: Handle): void;
  C_Login(session: Handle, userType: number, pin?: string): void;
  C_FindObjectsInit(session: Handle, template: Pkcs11Attribute[]): void;
  C_FindObjects(session: Handle, maxObjectCount: number): Handle[];
  C_FindObjectsFinal(session: Handle): void;
  C_GetAttributeValue(session: Handle, object: Handle, template: Pkcs11Attribute[]): Pkcs11Attribute[];
  C_EncryptInit(session: Handle, mechanism: Pkcs11Mechanism, key: Handle): void;
  C_Encrypt(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  C_DecryptInit(session: Handle, mechanism: Pkcs11Mechanism, key: Handle): void;
  C_Decrypt(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  C_SignInit(session: Handle, mechanism: Pkcs11Mechanism, key: Handle): void;
  C_Sign(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  C_GenerateKey(session: Handle, mechanism: Pkcs11Mechanism, template: Pkcs11Attribute[]): Handle;
}

export interface Pkcs11Binding {
  PKCS11: new () => Pkcs11Module;
  [constant: string]: unknown;
}

export const BINDING_HOW_TO =
  "The pkcs11 key provider needs the pkcs11js binding built: `npm run key:hsm-binding` " +
  "(node-gyp with a C++ compiler, make and python3, offline with the Node headers in /usr/include/node; see the README, \"Master key in an HSM\")";

export class Pkcs11BindingError extends Error {}

let binding: Pkcs11Binding | undefined;

/** The binding, or a Pkcs11BindingError saying how to build it. */
export function loadPkcs11Binding(): Pkcs11Binding {
  if (binding) return binding;
  // Resolved from the app's folder: bundled server code has no useful import.meta.url.
  const require = createRequire(path.join(process.cwd(), "package.json"));
  const name = ["pkcs11", "js"].join("");
  try {
    binding = require(name) as Pkcs11Binding;
  } catch (err) {
    throw new Pkcs11BindingError(`${BINDING_HOW_TO} (${(err as Error).message.split("\n")[0]})`);
  }
  return binding;
}

/** A constant of the PKCS#11 specification, as the binding names it (CKA_LABEL, CKM_AES_GCM…). */
export function ck(b: Pkcs11Binding, name: string): number {
  const value = b[name];
  if (typeof value !== "number") throw new Pkcs11BindingError(`the pkcs11js binding has no ${name}`);
  return value;
}
