// SSE event names. Resolves and denials get the names the admin app's live
// timeline (and the seeds) listen for; everything else goes out under its audit type.
const NAMED: Record<string, string> = {
  "lease.resolved": "vault.accessed",
  "lease.denied": "vault.denied",
  "lease.resolve_denied": "vault.denied",
};

export function sseEventName(auditType: string): string {
  return NAMED[auditType] ?? auditType;
}
