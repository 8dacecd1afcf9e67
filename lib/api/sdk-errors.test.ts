// The SDK's error classes against the server's own list of codes: a code the server
// can send must not reach callers as a bare RuntimeVaultError they cannot `instanceof`.
import { describe, expect, it } from "vitest";
import { ERROR_STATUS, type ErrorCode } from "./errors";
import { errorFromResponse, InvalidRequest, LeaseGone, LeaseLocked, MethodNotAllowed, RuntimeVaultError, type ApiErrorCode } from "runtime-vault";

// Fails to type-check (npm run typecheck) when either list gains a code the other lacks.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameCodes: Same<ApiErrorCode, ErrorCode> = true;

describe("SDK errors", () => {
  it("has a class for every code the server sends", () => {
    expect(sameCodes).toBe(true);
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      const err = errorFromResponse(status, { error: { code, message: `m ${code}` } });
      expect(err.constructor, code).not.toBe(RuntimeVaultError);
      expect(err).toMatchObject({ code, status, message: `m ${code}` });
    }
  });

  it("maps lease_locked to LeaseLocked, a LeaseGone, and method_not_allowed to MethodNotAllowed", () => {
    const locked = errorFromResponse(423, { error: { code: "lease_locked", message: "locked" } });
    expect(locked).toBeInstanceOf(LeaseLocked);
    expect(locked).toBeInstanceOf(LeaseGone);
    expect(locked.name).toBe("LeaseLocked");
    const method = errorFromResponse(405, { error: { code: "method_not_allowed", message: "no" } });
    expect(method).toBeInstanceOf(MethodNotAllowed);
    expect(method).toBeInstanceOf(InvalidRequest);
  });
});
