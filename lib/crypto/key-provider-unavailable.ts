// The key provider cannot be used right now (HSM unreachable, wrong PIN, key missing,
// session lost). Requests needing the key answer 503 key_provider_unavailable: never a
// 500, never another key. `orgId` is filled in by the envelope so the refusal can be
// audited in the org that asked.
export class KeyProviderUnavailableError extends Error {
  orgId?: string;
  constructor(message: string) {
    super(message);
    this.name = "KeyProviderUnavailableError";
  }
}
