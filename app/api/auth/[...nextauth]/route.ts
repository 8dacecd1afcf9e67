// next-auth's endpoints (sign-in, callback, session, csrf, sign-out) under /api/auth
import type { NextRequest } from "next/server";
import NextAuth from "next-auth";
import { getAuthOptions } from "@/lib/auth/auth-options";
import { errorResponse } from "@/lib/api/errors";
import { allowHeader, methodNotAllowedResponse, otherMethods } from "@/lib/api/method-not-allowed";

type Ctx = { params: Promise<{ nextauth: string[] }> };

/** Requests next-auth would answer with a 500; refused here in the API's error shape. */
async function refusal(req: NextRequest, ctx: Ctx): Promise<Response | null> {
  const [action, providerId] = (await ctx.params).nextauth ?? [];
  // next-auth has no non-POST answer for a credentials callback and returns a 500.
  if (action === "callback" && providerId === "credentials" && req.method !== "POST") {
    return methodNotAllowedResponse(req.method, allowHeader(["POST"]));
  }
  // next-auth reads any POST declaring JSON with req.json() and lets the SyntaxError
  // escape. Parsed from a copy: next-auth still reads the original body itself.
  if (req.method === "POST" && req.headers.get("content-type")?.includes("application/json")) {
    try {
      await req.clone().json();
    } catch {
      return errorResponse("invalid_json", "Request body is not valid JSON");
    }
  }
  return null;
}

// Options are built per request, not at import: `next build` has no master key.
async function handler(req: NextRequest, ctx: Ctx) {
  return (await refusal(req, ctx)) ?? NextAuth(req as never, ctx as never, getAuthOptions());
}

export { handler as GET, handler as POST };

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");
