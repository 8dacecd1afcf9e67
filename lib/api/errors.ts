// The API's error vocabulary: every failure leaves as {"error":{"code","message"}}.
import { NextResponse } from "next/server";
import { ZodError } from "zod";
import { Prisma } from "@/lib/generated/prisma/client";
import { isRetryableConflict, sqlState } from "@/lib/db/sql-state";
import { MasterKeyError } from "@/lib/crypto/key-provider";
import { KeyProviderUnavailableError } from "@/lib/crypto/key-provider-unavailable";

export const ERROR_STATUS = {
  invalid_json: 400,
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  bot_frozen: 403,
  permission_denied: 403,
  policy_denied: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  lease_expired: 410,
  lease_revoked: 410,
  lease_used: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  lease_locked: 423,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
  // Fail-closed audit sinks: a required sink is down, so vault reads are refused.
  audit_sink_unavailable: 503,
  // The key provider (an HSM) cannot be used: reads and writes needing the key are refused.
  key_provider_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
  get status() {
    return ERROR_STATUS[this.code];
  }
}

export function errorResponse(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
  return NextResponse.json({ error: { code, message, ...extra } }, { status: ERROR_STATUS[code] });
}

/** A refused field name is the caller's input: it is neither echoed nor logged. */
const UNKNOWN_FIELDS_MESSAGE = "Unknown fields: send only the documented ones";

function zodIssues(err: ZodError) {
  // Only paths and messages: zod would otherwise be free to echo the input. Paths only ever
  // name known fields (strict objects report unknown keys at their parent's path), but
  // zod's message for unknown keys quotes them.
  return err.issues.map((i) => ({ path: i.path.map(String), code: i.code, message: i.code === "unrecognized_keys" ? UNKNOWN_FIELDS_MESSAGE : i.message }));
}

const CONNECTION_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);

// PostgreSQL refuses a NUL character in text (22021) and in jsonb (22P05). Only client
// input can carry one there, so it is a bad request, not a server fault.
const UNSTORABLE_TEXT_CODES = new Set(["22021", "22P05"]);

function isUnstorableText(err: unknown): boolean {
  const code = sqlState(err);
  return code !== undefined && UNSTORABLE_TEXT_CODES.has(code);
}

function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientInitializationError) return true;
  if (err instanceof Prisma.PrismaClientKnownRequestError && CONNECTION_CODES.has(err.code)) return true;
  const text = String((err as { message?: unknown })?.message ?? "");
  const code = String((err as { code?: unknown })?.code ?? "");
  return /ECONNREFUSED|ECONNRESET|Connection terminated|timeout exceeded when trying to connect|terminating connection|DatabaseNotReachable|the database system is (starting|shutting) up/i.test(
    text + " " + code,
  );
}

/** Maps anything thrown by a handler to the documented error shape. Never leaks internals. */
export function toErrorResponse(err: unknown): NextResponse {
  if (err instanceof ApiError) {
    const response = errorResponse(err.code, err.message, err.extra);
    for (const [name, value] of Object.entries(err.headers)) response.headers.set(name, value);
    return response;
  }
  if (err instanceof ZodError) return errorResponse("validation_failed", "Request is invalid", { issues: zodIssues(err) });
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    if (err.code === "P2002") return errorResponse("conflict", "A resource with these unique fields already exists");
    if (err.code === "P2025") return errorResponse("not_found", "Not found");
  }
  // A deadlock or write conflict that kept recurring (transaction() retries it first).
  if (isRetryableConflict(err)) return errorResponse("conflict", "The request collided with a concurrent change; retry");
  if (isUnstorableText(err)) return errorResponse("validation_failed", "Text cannot contain NUL (\\u0000) characters");
  if (isDatabaseUnavailable(err)) {
    console.error("[runtime-vault] database unavailable:", (err as Error)?.name);
    return errorResponse("unavailable", "The vault's database is unavailable; retry shortly");
  }
  if (err instanceof KeyProviderUnavailableError) {
    // Logged and audited once a minute by the route wrapper (lib/keys/audit-key-provider-unavailable.ts), not per request.
    const response = errorResponse("key_provider_unavailable", "The vault's key provider (HSM) is unavailable; retry shortly");
    response.headers.set("retry-after", "5");
    return response;
  }
  if (err instanceof MasterKeyError) {
    console.error("[runtime-vault] master key problem:", err.message);
    return errorResponse("unavailable", "The vault's master key is not available");
  }
  // Name and code only: messages from drivers can carry query parameters.
  console.error("[runtime-vault] unhandled error:", (err as Error)?.name, (err as { code?: string })?.code ?? "");
  return errorResponse("internal_error", "Internal error");
}
