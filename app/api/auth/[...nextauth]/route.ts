// next-auth's endpoints (sign-in, callback, session, csrf, sign-out) under /api/auth
import type { NextRequest } from "next/server";
import NextAuth from "next-auth";
import { getAuthOptions } from "@/lib/auth/auth-options";
import { ApiError, errorResponse, toErrorResponse } from "@/lib/api/errors";
import { KeyProviderUnavailableError } from "@/lib/crypto/key-provider-unavailable";
import { readBodyCapped } from "@/lib/api/request";
import { allowHeader, methodNotAllowedResponse, otherMethods } from "@/lib/api/method-not-allowed";

type Ctx = { params: Promise<{ nextauth: string[] }> };

/** Requests next-auth would answer with a 500; refused here in the API's error shape. */
async function refusal(req: NextRequest, ctx: Ctx): Promise<Response | null> {
  const [action, providerId] = (await ctx.params).nextauth ?? [];
  // next-auth has no non-POST answer for a credentials callback and returns a 500.
  if (action === "callback" && providerId === "credentials" && req.method !== "POST") {
    return methodNotAllowedResponse(req.method, allowHeader(["POST"]));
  }
  if (req.method !== "POST") return null;
  // next-auth buffers any body whole: read a copy first, counting bytes, so an endless
  // chunked upload is refused at the limit (next-auth then reads at most that much).
  let body: Uint8Array;
  try {
    body = await readBodyCapped(req.clone());
  } catch (err) {
    if (err instanceof ApiError) return toErrorResponse(err);
    return errorResponse("invalid_json", "Request body could not be read");
  }
  // next-auth reads any POST declaring JSON with req.json() and lets the SyntaxError escape.
  if (req.headers.get("content-type")?.includes("application/json")) {
    try {
      JSON.parse(new TextDecoder().decode(body));
    } catch {
      return errorResponse("invalid_json", "Request body is not valid JSON");
    }
  }
  return null;
}

// Options are built per request, not at import: `next build` has no master key.
async function handler(req: NextRequest, ctx: Ctx) {
  const refused = await refusal(req, ctx);
  if (refused) return refused;
  let options: ReturnType<typeof getAuthOptions>;
  try {
    options = getAuthOptions();
  } catch (err) {
    // The session-signing default comes from the HSM (RV_KEY_PROVIDER=pkcs11) and it is down: 503, not 500.
    if (err instanceof KeyProviderUnavailableError) return toErrorResponse(err);
    throw err;
  }
  return NextAuth(req as never, ctx as never, options);
}

export { handler as GET, handler as POST };

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");
