// Where the sign-in page may send a browser afterwards. The value comes from the query
// string, so it is attacker-chosen: `/\evil.example` or `/%09/evil.example` pass a
// "starts with one slash" test, yet browsers read them as `//evil.example` (the URL
// parser turns `\` into `/` and drops tabs and newlines). Parsing with the same WHATWG
// parser the browser uses, against a placeholder origin, tells what it would really load.
// Kept free of Node and Next imports: proxy.ts may use it too.

const PLACEHOLDER = "http://callback.invalid";

/** A same-origin path (with query and fragment) for `value`, or `fallback` when it points anywhere else. */
export function safeCallbackPath(value: string | null | undefined, fallback = "/overview"): string {
  if (typeof value !== "string" || !value.startsWith("/")) return fallback;
  let url: URL;
  try {
    url = new URL(value, PLACEHOLDER);
  } catch {
    return fallback;
  }
  if (url.origin !== PLACEHOLDER) return fallback;
  const path = url.pathname + url.search + url.hash;
  // `/.//evil.example` normalises to the path `//evil.example`: served as a Location
  // or assigned to location.href, that is another host again.
  if (path.startsWith("//")) return fallback;
  return path;
}

/** next-auth's redirect callback: same-origin targets only, as paths normalised like above. */
export function sameOriginRedirect(url: unknown, baseUrl: string): string {
  if (typeof url !== "string") return baseUrl;
  let target: URL;
  try {
    target = new URL(url, baseUrl);
  } catch {
    return baseUrl;
  }
  if (target.origin !== new URL(baseUrl).origin) return baseUrl;
  const path = safeCallbackPath(target.pathname + target.search + target.hash, "");
  return path ? new URL(path, baseUrl).toString() : baseUrl;
}
