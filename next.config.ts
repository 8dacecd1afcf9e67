import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // pg and the embedded database use Node built-ins that should not be bundled.
  serverExternalPackages: ["pg", "@electric-sql/pglite", "@electric-sql/pglite-socket"],
  poweredByHeader: false,
  typedRoutes: false,
  // The app build checks app code only; `npm run typecheck` covers tests and scripts.
  typescript: { tsconfigPath: "tsconfig.build.json" },
};

export default nextConfig;
