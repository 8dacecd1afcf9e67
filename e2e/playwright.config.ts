// Browser suite: Debian's Chromium (Playwright cannot download browsers here)
// against the production build (`npm run build` first). Each spec file gets its
// own database and server (e2e/support/vault.ts); one worker keeps a 2-core box calm.
import { randomBytes } from "node:crypto";
import { defineConfig } from "@playwright/test";
import { chromiumPath } from "./support/chromium";

// One throwaway master key for the run, shared by the seeding code in the workers
// (inherited through the environment) and every server they start.
process.env.RV_MASTER_KEY ??= randomBytes(32).toString("base64");

export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  outputDir: "../test-results/e2e",
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"]],
  globalSetup: "./support/global-setup.ts",
  use: {
    viewport: { width: 1280, height: 900 },
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromiumPath(),
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
});
