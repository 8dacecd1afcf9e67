// Typed errors: one class per API error code, so callers can `instanceof` instead of
// comparing strings. Messages come from the API, which never puts secret values in them.

export type ApiErrorCode =
  | "invalid_json"
  | "validation_failed"
  | "unauthenticated"
  | "forbidden"
  | "bot_frozen"
  | "permission_denied"
  | "policy_denied"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "lease_expired"
  | "lease_revoked"
  | "lease_used"
  | "payload_too_large"
  | "unsupported_media_type"
  | "lease_locked"
  | "rate_limited"
  | "internal_error"
  | "unavailable"
  | "audit_sink_unavailable"
  | "key_provider_unavailable";

export class RuntimeVaultError extends Error {
  constructor(
    message: string,
    /** The API's error code, or `network_error` / `timeout` for failures before an answer. */
    readonly code: ApiErrorCode | "network_error" | "timeout" | (string & {}),
    /** HTTP status; 0 when no response arrived. */
    readonly status: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidRequest extends RuntimeVaultError {}
/** 405: a client built for another API version; subclass of InvalidRequest, which it used to be. */
export class MethodNotAllowed extends InvalidRequest {}
export class Unauthenticated extends RuntimeVaultError {}
export class Forbidden extends RuntimeVaultError {}
export class BotFrozen extends RuntimeVaultError {}
export class PermissionDenied extends RuntimeVaultError {}
export class PolicyDenied extends RuntimeVaultError {}
export class NotFound extends RuntimeVaultError {}
export class Conflict extends RuntimeVaultError {}
/** The lease can never be resolved again (the 410s and the 423): request a new one. */
export class LeaseGone extends RuntimeVaultError {}
export class LeaseExpired extends LeaseGone {}
export class LeaseRevoked extends LeaseGone {}
export class LeaseUsed extends LeaseGone {}
/** 423: locked after repeated wrong lease tokens; the right token no longer opens it either. */
export class LeaseLocked extends LeaseGone {}
export class RateLimited extends RuntimeVaultError {}
export class ServerError extends RuntimeVaultError {}
export class Unavailable extends ServerError {}
/** 503: the vault fails closed while a required audit sink is unreachable; retry later. */
export class AuditSinkUnavailable extends Unavailable {}
/** 503: the vault's key provider (an HSM) is unreachable; reads and writes needing the key wait for it. */
export class KeyProviderUnavailable extends Unavailable {}
export class NetworkError extends RuntimeVaultError {}
export class TimeoutError extends NetworkError {}

// Keyed by ApiErrorCode so a code added to the union without a class fails to compile;
// lib/api/sdk-errors.test.ts (the server's) checks the union against the server's list.
const BY_CODE: Record<ApiErrorCode, typeof RuntimeVaultError> = {
  invalid_json: InvalidRequest,
  validation_failed: InvalidRequest,
  unsupported_media_type: InvalidRequest,
  payload_too_large: InvalidRequest,
  method_not_allowed: MethodNotAllowed,
  unauthenticated: Unauthenticated,
  forbidden: Forbidden,
  bot_frozen: BotFrozen,
  permission_denied: PermissionDenied,
  policy_denied: PolicyDenied,
  not_found: NotFound,
  conflict: Conflict,
  lease_expired: LeaseExpired,
  lease_revoked: LeaseRevoked,
  lease_used: LeaseUsed,
  lease_locked: LeaseLocked,
  rate_limited: RateLimited,
  internal_error: ServerError,
  unavailable: Unavailable,
  audit_sink_unavailable: AuditSinkUnavailable,
  key_provider_unavailable: KeyProviderUnavailable,
};

/** Builds the typed error for an API error body (`{"error":{"code","message",…}}`). */
export function errorFromResponse(status: number, body: unknown): RuntimeVaultError {
  const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof err?.code === "string" ? err.code : status >= 500 ? "internal_error" : `http_${status}`;
  const message = typeof err?.message === "string" ? err.message : `HTTP ${status}`;
  const { code: _c, message: _m, ...details } = (err ?? {}) as Record<string, unknown>;
  const Class = (BY_CODE as Record<string, typeof RuntimeVaultError>)[code] ?? (status >= 500 ? ServerError : RuntimeVaultError);
  return new Class(message, code, status, details);
}
