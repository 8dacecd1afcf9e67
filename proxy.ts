// Convenience only: signed-out visitors of admin pages go to the sign-in page
// instead of a blank 403. The real check is in every page, server action and
// route handler (lib/auth/get-session-user.ts), which also verifies the cookie.
//
// Every page gets its Content-Security-Policy here, with a fresh script nonce per
// request: Next reads the nonce from the request's CSP header and puts it on the
// scripts it renders (all pages are rendered per request, see app/layout.tsx).
//
// Request checks live here too, because they must run before Next or next-auth see the
// request: a malformed percent-escape (Next decodes route params before any handler
// runs and answers a failed decode with a plain-text 500), the values next-auth
// builds URLs from (see authRequest), and server actions (POSTs to pages), whose bodies
// Next decodes before any action runs (see lib/forms/action-request.ts). Admin pages'
// actions need a session, so a signed-out POST is refused before its body is read; each
// action still checks the session and role itself.
import { NextResponse, type NextRequest } from "next/server";
import { isValidCallbackUrl, isValidHost } from "@/lib/auth/next-auth-input";
import { hasValidSession, SESSION_COOKIES } from "@/lib/auth/session-cookie";
import { actionRequestRefusal } from "@/lib/forms/action-request";
import { pageActionIds } from "@/lib/forms/page-actions";

/** Pages anyone may use, with the app path whose server actions they take. */
const PUBLIC_PAGES = new Map([
  ["/set-password", "app/set-password/page"],
  ["/setup", "app/setup/page"],
  ["/sign-in", "app/sign-in/page"],
]);

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

const CALLBACK_COOKIES = new Set(["next-auth.callback-url", "__Secure-next-auth.callback-url"]);

/**
 * next-auth answers a callbackUrl it cannot parse with a 500 "server configuration"
 * error, even when it comes from a cookie: such a cookie would break sign-in for good.
 * The parameter is refused; the cookie is dropped, and next-auth sets a fresh one.
 *
 * Without NEXTAUTH_URL, next-auth takes the app's origin from X-Forwarded-Host, which
 * any client can send and shared caches do not key on: a forged value would become the
 * base of sign-in redirects and callback URLs. Sign-in uses the Host the client
 * addressed instead (set NEXTAUTH_URL behind a proxy that rewrites Host); a Host that
 * is not a host is refused, as next-auth would fail on it.
 */
function authRequest(req: NextRequest) {
  if (!req.nextUrl.searchParams.getAll("callbackUrl").every(isValidCallbackUrl)) {
    return badRequest(true, "callbackUrl must be a path or an http(s) URL");
  }
  let headers: Headers | undefined;
  if (!process.env.NEXTAUTH_URL) {
    const host = req.headers.get("host");
    if (!isValidHost(host)) return badRequest(true, "The Host header is not a valid host");
    if (req.headers.get("x-forwarded-host") !== host) {
      headers = new Headers(req.headers);
      headers.set("x-forwarded-host", host);
    }
  }
  const stale = req.cookies.getAll().filter((c) => CALLBACK_COOKIES.has(c.name) && !isValidCallbackUrl(c.value));
  if (stale.length) {
    headers ??= new Headers(req.headers);
    const kept = (headers.get("cookie") ?? "").split(";").filter((part) => !CALLBACK_COOKIES.has(part.split("=")[0].trim()));
    if (kept.length) headers.set("cookie", kept.join(";"));
    else headers.delete("cookie");
  }
  return headers ? NextResponse.next({ request: { headers } }) : NextResponse.next();
}

// Pages behind sign-in; the rest (sign-in, set-password, unknown paths) are public.
const ADMIN_PAGE = /^\/(?:$|(?:overview|catalogue|bots|mounts|leases|approvals|audit|policy|members|account|tokens)(?:\/|$))/;

/**
 * Scripts run only with this response's nonce, or when loaded by one that has it
 * ('strict-dynamic': Next's chunks). No inline scripts or event handlers, no eval, no other origin.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    // Inline style attributes stay allowed (Next's own error pages use them); styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
    "form-action 'self'",
  ].join("; ");
}

function page(req: NextRequest) {
  const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(18))));
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(req.headers);
  headers.set("content-security-policy", csp);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("content-security-policy", csp);
  return res;
}

async function actionRequest(req: NextRequest, publicPage: string | undefined) {
  // Signed-out visitors reach only the public pages' actions, and only those (an unknown id
  // there was a stack in the log); admin pages need a session before anything is read.
  const refusal = await actionRequestRefusal(
    req,
    publicPage ? { actionIds: pageActionIds(publicPage) } : { signedIn: () => hasValidSession(req), actionIds: pageActionIds(null) },
  );
  if (!refusal) return page(req);
  return new NextResponse(refusal.message, { status: refusal.status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
}

export async function proxy(req: NextRequest) {
  const { pathname } = req.nextUrl;
  // /v1 is the compatibility API (app/v1): an API like /api, never a page.
  const api = pathname.startsWith("/api/") || pathname.startsWith("/v1/");
  if (pathname.includes("%") && !decodes(pathname)) return badRequest(api, "The path contains a malformed percent-escape");
  if (pathname.startsWith("/api/auth/")) return authRequest(req);
  if (api) return NextResponse.next();
  const publicPage = PUBLIC_PAGES.get(pathname);
  if (req.method === "POST") return actionRequest(req, publicPage);
  if (!ADMIN_PAGE.test(pathname) || SESSION_COOKIES.some((name) => req.cookies.has(name))) return page(req);
  const url = req.nextUrl.clone();
  url.pathname = "/sign-in";
  url.search = `?callbackUrl=${encodeURIComponent(req.nextUrl.pathname + req.nextUrl.search)}`;
  return NextResponse.redirect(url);
}

export const config = {
  // Pages, next-auth, and API paths with a percent sign (the only ones that can hold a
  // malformed escape): the rest of the API, above all the bots' lease requests, and the
  // build's assets pass straight through without running this at all.
  matcher: ["/((?!api/|v1/|_next/static/|_next/image|favicon.ico).*)", "/api/auth/:path*", "/api/:path(.*%.*)", "/v1/:path(.*%.*)"],
};
