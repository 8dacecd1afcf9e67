// `npm run key:hsm-binding`: builds the native part of pkcs11js (an optional dependency
// whose build script npm 11 does not run) with the node-gyp that npm bundles, against
// the headers of the running Node (--nodedir, so nothing is downloaded). Needs a C++
// compiler, make and python3 (Debian: build-essential python3). Idempotent.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

function fail(message: string): never {
  console.error(`key:hsm-binding: ${message}`);
  process.exit(1);
}

let pkg: string;
try {
  pkg = path.dirname(createRequire(path.join(ROOT, "package.json")).resolve("pkcs11js/package.json"));
} catch {
  fail("pkcs11js is not installed (an optional dependency: `npm ci` installs it unless optional dependencies are omitted)");
}
const built = path.join(pkg, "build", "Release", "pkcs11.node");
if (existsSync(built) && !process.argv.includes("--force")) {
  console.log(`pkcs11js binding already built (${path.relative(ROOT, built)})`);
  process.exit(0);
}

// Node's own headers: Debian's nodejs ships them in /usr/include/node; a tarball install beside its bin/.
const nodedir = [process.env.RV_NODE_DIR, path.resolve(path.dirname(process.execPath), ".."), "/usr"].find(
  (dir) => dir && existsSync(path.join(dir, "include", "node", "node_api.h")),
);
if (!nodedir) fail("no Node headers found (include/node/node_api.h); set RV_NODE_DIR to a folder holding them");

// npm sets npm_config_node_gyp in scripts to the node-gyp it bundles.
const gyp = [process.env.npm_config_node_gyp, path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js")].find(
  (file) => file && existsSync(file),
);
if (!gyp) fail("node-gyp not found: run this through npm (npm run key:hsm-binding), which bundles it");

const result = spawnSync(process.execPath, [gyp, "rebuild", `--nodedir=${nodedir}`], { cwd: pkg, stdio: "inherit" });
if (result.status !== 0) fail("node-gyp failed (a C++ compiler, make and python3 are needed: apt-get install -y build-essential python3)");
console.log(`pkcs11js binding built (${path.relative(ROOT, built)})`);
