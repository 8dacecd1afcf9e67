import { defineConfig } from "vitest/config";
import path from "node:path";
import { randomBytes } from "node:crypto";

export default defineConfig({
  resolve: {
    // The client package from its source (as tsconfig.json's paths), so tests need no build of it.
    alias: [
      { find: /^@\//, replacement: `${path.resolve(import.meta.dirname)}/` },
      { find: /^runtime-vault$/, replacement: path.resolve(import.meta.dirname, "client/src/sdk/index.ts") },
      { find: /^runtime-vault\/(audit-chain|audit-files|verify-audit-files)$/, replacement: path.resolve(import.meta.dirname, "client/src/sdk/$1.ts") },
    ],
  },
  test: {
    include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "e2e/**/*.test.ts", "client/src/**/*.test.ts"],
    // A throwaway KEK per run; tests that need specific keys build their own providers.
    env: { RV_MASTER_KEY: randomBytes(32).toString("base64"), NEXT_TELEMETRY_DISABLED: "1" },
    globalSetup: ["test/global-setup.ts"],
    // Two cores: a couple of files at a time, each on its own database.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
