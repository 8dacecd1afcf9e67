// SSE event names. Reads of a value and refusals of access get the names the admin
// app's live timeline (and the seeds) listen for; everything else goes out under its
// audit type.
const NAMED: Record<string, string> = {
  "lease.resolved": "vault.accessed",
  // A bot refused a lease, a value, or any request at all.
  "lease.denied": "vault.denied",
  "lease.resolve_denied": "vault.denied",
  "lease.bad_token": "vault.denied",
  "lease.locked": "vault.denied",
  "lease.rejected": "vault.denied",
  "rate_limit.exceeded": "vault.denied",
  // vault.read keeps its own name, revealed or not: a reveal's value is read through a
  // single-use lease whose lease.resolved already goes out as vault.accessed (once per value).
  "vault.read": "vault.read",
};

export function sseEventName(auditType: string): string {
  return NAMED[auditType] ?? auditType;
}
