// The audit event types the app records, grouped for the timeline's type picker.
// A type missing here still shows on the timeline; it just cannot be picked as a filter.
export const EVENT_TYPE_GROUPS: Record<string, readonly string[]> = {
  Leases: [
    "lease.requested", "lease.granted", "lease.denied", "lease.approved", "lease.approval_recorded", "lease.approval_refused", "lease.rejected",
    "lease.collected", "lease.resolved", "lease.resolve_denied", "lease.bad_token", "lease.locked", "lease.released", "lease.revoked", "leases.revoked", "vault.read",
  ],
  Secrets: ["secret.created", "secret.rotated", "secret.updated", "secret.deleted"],
  Bots: ["bot.created", "bot.updated", "bot.frozen", "bot.unfrozen", "bot.deleted", "bot.token_rotated", "grant.created", "grant.updated", "grant.deleted", "mount.created", "mount.updated", "mount.deleted"],
  Members: [
    "member.created", "member.invited", "member.role_changed", "member.removed", "member.signed_in", "member.sign_in_failed", "member.sign_in_throttled",
    "member.signed_out", "member.signed_out_everywhere", "member.password_set", "member.password_changed", "member.password_change_failed",
    "api_token.created", "api_token.revoked",
  ],
  Organization: ["org.created", "org.setup_completed", "policy.updated", "admin.denied", "rate_limit.exceeded", "keys.rewrapped"],
  Audit: ["audit.archived", "audit.sink_lagging", "audit.sink_recovered"],
};

export const EVENT_TYPES: readonly string[] = Object.values(EVENT_TYPE_GROUPS).flat();

/** The lease events a secret's Access tab lists: who asked, got, read and gave back its value. */
export const ACCESS_EVENT_TYPES = [
  "lease.requested", "lease.granted", "lease.denied", "lease.approved", "lease.rejected", "lease.collected",
  "lease.resolved", "lease.resolve_denied", "lease.released", "lease.revoked", "vault.read",
] as const;
