import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // pg and the embedded database use Node built-ins that should not be bundled.
  serverExternalPackages: ["pg", "@electric-sql/pglite", "@electric-sql/pglite-socket"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
