// Which Chromium the browser suite drives. Playwright cannot download its own here, so
// it uses the system's; `npm test` checks for it first (check-chromium.ts) so a machine
// without one gets one instruction instead of a launch failure per spec.
import { accessSync, constants } from "node:fs";

export const CHROMIUM_HOW_TO =
  "Browser tests need Chromium: run `apt-get install -y chromium` (Debian/Ubuntu), or set PLAYWRIGHT_CHROMIUM_PATH to a Chromium or Chrome binary.";

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.PLAYWRIGHT_CHROMIUM_PATH || env.CHROMIUM_PATH || "/usr/bin/chromium";
}

export function chromiumIsRunnable(file = chromiumPath()): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
