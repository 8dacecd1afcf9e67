// The key provider cannot be used right now (HSM unreachable, wrong PIN, key missing,
// session lost). Requests needing the key answer 503 key_provider_unavailable: never a
// 500, never another key. `orgId` is filled in by the envelope so the refusal can be
// audited in the org that asked.
//
// Recognised by a brand, not by class identity: the process's one provider is made by
// whichever server bundle asks first (instrumentation, a route), and each bundle has its
// own copy of this class.
const BRAND = Symbol.for("runtime-vault.key-provider-unavailable");

export class KeyProviderUnavailableError extends Error {
  readonly [BRAND] = true;
  orgId?: string;
  constructor(message: string) {
    super(message);
    this.name = "KeyProviderUnavailableError";
  }
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [BRAND]?: boolean })[BRAND] === true;
  }
}
