// `npm test` runs this first: without a browser, stop at once with one line saying how to get one.
import { CHROMIUM_HOW_TO, chromiumIsRunnable, chromiumPath } from "./chromium";

if (!chromiumIsRunnable()) {
  console.error(`${CHROMIUM_HOW_TO} (not found: ${chromiumPath()})`);
  process.exit(1);
}
