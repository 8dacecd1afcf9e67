// Convenience only: signed-out visitors of admin pages go to the sign-in page
// instead of a blank 403. The real check is in every page, server action and
// route handler (lib/auth/get-session-user.ts), which also verifies the cookie.
//
// A request check lives here too, because it must run before Next sees the request: a
// malformed percent-escape (Next decodes route params before any handler runs and
// answers a failed decode with a plain-text 500).
import { NextResponse, type NextRequest } from "next/server";

const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

function decodes(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

function badRequest(api: boolean, message: string) {
  if (!api) return new NextResponse(message, { status: 400, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
  return NextResponse.json({ error: { code: "validation_failed", message } }, { status: 400, headers: { "cache-control": "no-store" } });
}

export function proxy(req: NextRequest) {
  const { pathname } = req.nextUrl;
  const api = pathname.startsWith("/api/");
  if (pathname.includes("%") && !decodes(pathname)) return badRequest(api, "The path contains a malformed percent-escape");
  if (api) return NextResponse.next();
  if (SESSION_COOKIES.some((name) => req.cookies.has(name))) return NextResponse.next();
  const url = req.nextUrl.clone();
  url.pathname = "/sign-in";
  url.search = `?callbackUrl=${encodeURIComponent(req.nextUrl.pathname + req.nextUrl.search)}`;
  return NextResponse.redirect(url);
}

export const config = {
  // Admin pages and API paths with a percent sign (the only ones that can hold a malformed
  // escape): the rest of the API, above all the bots' lease requests, next-auth, sign-in,
  // set-password and assets pass straight through without running this at all.
  matcher: [
    "/",
    "/overview/:path*",
    "/catalogue/:path*",
    "/bots/:path*",
    "/leases/:path*",
    "/approvals/:path*",
    "/audit/:path*",
    "/policy/:path*",
    "/members/:path*",
    "/api/:path(.*%.*)",
  ],
};
