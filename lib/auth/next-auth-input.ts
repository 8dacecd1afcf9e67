// Request values next-auth turns into URLs and fails on with a 500 (an escaping
// "Invalid URL", or a "server configuration" error). proxy.ts checks them before
// next-auth runs; kept free of Node and Next imports for that reason.

// A DNS name (underscores allowed, as URL parsers do) or a bracketed IPv6 literal, with an optional port.
const HOST = /^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** A bare `host[:port]` that URL parsing accepts as such (no path, user info or list). */
export function isValidHost(value: string | null | undefined): value is string {
  if (!value || value.length > 261 || !HOST.test(value)) return false;
  try {
    // Catches what the pattern lets through: ports over 65535, malformed IPv4 or IPv6.
    new URL(`http://${value}`);
    return true;
  } catch {
    return false;
  }
}

/** What next-auth accepts as a callbackUrl query parameter or cookie: a path or an http(s) URL. */
export function isValidCallbackUrl(value: string): boolean {
  if (!value) return true;
  try {
    return /^https?:$/.test(new URL(value, value.startsWith("/") ? "http://localhost" : undefined).protocol);
  } catch {
    return false;
  }
}
