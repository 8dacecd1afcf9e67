// Builds the single-file executable of the CLI for the platform this runs on (Linux x64
// is the one CI checks): Node's single executable applications, as Node 20 documents
// them. 1. esbuild bundles the CLI into one CommonJS file (src/cli/sea-entry.ts);
// 2. `node --experimental-sea-config` turns it into a blob; 3. postject injects the blob
// into a copy of the node binary running this script.
//   node client/scripts/build-sea.mjs [--out DIR]     (default client/build/sea)
// The result needs no Node installed: it is Node. It does link libstdc++ and glibc
// as the node binary it is made from does.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";

const root = path.resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);
const { values } = parseArgs({ options: { out: { type: "string" } } });
const out = path.resolve(values.out ?? path.join(root, "build", "sea"));
const FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

if (process.platform !== "linux") {
  console.error(`build-sea: builds on Linux only (this is ${process.platform}); the binary is for the platform that builds it`);
  process.exit(1);
}
const node = process.execPath;
if (!readFileSync(node).includes(FUSE)) {
  console.error(`build-sea: ${node} has no single-executable fuse (a Node built without SEA support, e.g. one linked to a shared libnode)`);
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const bundle = path.join(out, "runtime-vault.cjs");
const esbuild = require("esbuild");
await esbuild.build({
  entryPoints: [path.join(root, "src", "cli", "sea-entry.ts")],
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  outfile: bundle,
  legalComments: "none",
  logLevel: "warning",
});

const blob = path.join(out, "sea-prep.blob");
const config = path.join(out, "sea-config.json");
writeFileSync(config, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }, null, 2));
const prep = spawnSync(node, ["--experimental-sea-config", config], { stdio: "inherit" });
if (prep.status !== 0) process.exit(prep.status ?? 1);

const binary = path.join(out, "runtime-vault");
copyFileSync(node, binary);
chmodSync(binary, 0o755);
// Debug symbols are most of an unstripped node (about 12 MiB here); no strip, no loss.
spawnSync("strip", ["--strip-all", binary], { stdio: "ignore" });
const { inject } = require("postject");
await inject(binary, "NODE_SEA_BLOB", readFileSync(blob), { sentinelFuse: FUSE });
console.log(`build-sea: ${binary} (${(statSync(binary).size / 1024 / 1024).toFixed(1)} MiB, bundle ${(statSync(bundle).size / 1024).toFixed(0)} KiB, from ${node} ${process.version})`);
