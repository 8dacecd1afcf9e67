import type { NextConfig } from "next";
import { ACTION_BODY_LIMIT_BYTES } from "./lib/forms/action-request";

// Sent on every response. Pages get their full policy, with a per-request script
// nonce, from proxy.ts (which replaces this header); these parts hold everywhere else
// (assets, anything the proxy does not run for) and need no nonce.
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "no-referrer" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Content-Security-Policy", value: "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'" },
];

const nextConfig: NextConfig = {
  // pg and the embedded database use Node built-ins that should not be bundled.
  serverExternalPackages: ["pg", "@electric-sql/pglite", "@electric-sql/pglite-socket"],
  poweredByHeader: false,
  typedRoutes: false,
  // The app build checks app code only; `npm run typecheck` covers tests and scripts.
  typescript: { tsconfigPath: "tsconfig.build.json" },
  // forbidden() from next/navigation: pages a role may not see answer HTTP 403
  // (lib/auth/require-page-user.ts, app/(admin)/forbidden.tsx).
  // Server action bodies: proxy.ts refuses larger ones with a 413 before Next reads them
  // (Next's own refusal is a 500), so the limits are one constant. Next also reads the
  // body of every request proxy.ts runs on (sign-in, the admin pages' server actions)
  // before any handler: keep at most the same there, instead of 10 MB. Route handlers
  // refuse bodies over 512 KiB as they read them (lib/api/request.ts).
  experimental: { authInterrupts: true, serverActions: { bodySizeLimit: ACTION_BODY_LIMIT_BYTES }, proxyClientMaxBodySize: ACTION_BODY_LIMIT_BYTES },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      // JSON APIs render nothing: forbid every kind of content outright.
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }] },
      { source: "/v1/:path*", headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }] },
    ];
  },
};

export default nextConfig;
