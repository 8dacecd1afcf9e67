// next-auth's endpoints (sign-in, callback, session, csrf, sign-out) under /api/auth
import type { NextRequest } from "next/server";
import NextAuth from "next-auth";
import { getAuthOptions } from "@/lib/auth/auth-options";
import { otherMethods } from "@/lib/api/method-not-allowed";

type Ctx = { params: Promise<{ nextauth: string[] }> };

// Options are built per request, not at import: `next build` has no master key.
function handler(req: NextRequest, ctx: Ctx) {
  return NextAuth(req as never, ctx as never, getAuthOptions());
}

export { handler as GET, handler as POST };

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");
