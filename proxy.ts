// Convenience only: signed-out visitors of admin pages go to the sign-in page
// instead of a blank 403. The real check is in every page, server action and
// route handler (lib/auth/get-session-user.ts), which also verifies the cookie.
import { NextResponse, type NextRequest } from "next/server";

const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

export function proxy(req: NextRequest) {
  if (SESSION_COOKIES.some((name) => req.cookies.has(name))) return NextResponse.next();
  const url = req.nextUrl.clone();
  url.pathname = "/sign-in";
  url.search = `?callbackUrl=${encodeURIComponent(req.nextUrl.pathname + req.nextUrl.search)}`;
  return NextResponse.redirect(url);
}

export const config = {
  // Admin pages only: the API, next-auth, sign-in, set-password and assets pass straight through.
  matcher: ["/", "/overview/:path*", "/catalogue/:path*", "/bots/:path*", "/leases/:path*", "/approvals/:path*", "/audit/:path*", "/policy/:path*", "/members/:path*"],
};
