import type { NextConfig } from "next";

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
  experimental: { authInterrupts: true },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      // JSON APIs render nothing: forbid every kind of content outright.
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }] },
    ];
  },
};

export default nextConfig;
