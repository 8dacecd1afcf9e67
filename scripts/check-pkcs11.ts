// `npm test` runs this first (as check-chromium for the browser): the pkcs11 suites need
// SoftHSM2 and the pkcs11js binding. The binding is built when missing (offline, npm's
// node-gyp); anything else missing stops the run with one line saying how to get it,
// rather than skipping the HSM tests silently.
import { spawnSync } from "node:child_process";
import { softHsmProblem } from "../test/softhsm";

let problem = softHsmProblem();
if (problem && !/SoftHSM2/.test(problem)) {
  const build = spawnSync("npm", ["run", "--silent", "key:hsm-binding"], { stdio: "inherit" });
  if (build.status === 0) problem = softHsmProblem();
}
if (problem) {
  console.error(problem);
  process.exit(1);
}
