// The link an invited member opens. Its origin is configuration, never the request:
// Host, X-Forwarded-Host and X-Forwarded-Proto are whatever the caller sent, so an
// invite made through a forged header would send the new member's one-time token to
// someone else's site.

/**
 * NEXTAUTH_URL's origin when set (it must be, behind a proxy or on a public name).
 * Unset: the origin this server listens on, as `next start` records it at start-up
 * (`http://<-H host>:<port>`, `localhost` when it listens on every interface), else
 * `http://localhost:$PORT`.
 */
export function publicOrigin(env: Record<string, string | undefined> = process.env): string {
  for (const candidate of [env.NEXTAUTH_URL, env.__NEXT_PRIVATE_ORIGIN]) {
    if (!candidate) continue;
    try {
      const { origin } = new URL(candidate);
      if (origin !== "null") return origin;
    } catch {
      // Not a URL: try the next source.
    }
  }
  return `http://localhost:${env.PORT || 3000}`;
}

export function setPasswordUrl(token: string, env: Record<string, string | undefined> = process.env): string {
  return `${publicOrigin(env)}/set-password?token=${encodeURIComponent(token)}`;
}
