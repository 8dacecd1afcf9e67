// Builds the client twice from one source: ESM (dist/esm) and CommonJS (dist/cjs), each
// with its .d.ts files. A package.json in each output folder tells Node which is which.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const tsc = createRequire(path.join(root, "package.json")).resolve("typescript/bin/tsc");

const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const versionSource = readFileSync(path.join(root, "src/version.ts"), "utf8");
if (!versionSource.includes(`VERSION = "${pkg.version}"`)) {
  console.error(`client/src/version.ts does not say ${pkg.version} (client/package.json's version)`);
  process.exit(1);
}

rmSync(path.join(root, "dist"), { recursive: true, force: true });
for (const [config, type] of [["tsconfig.json", "module"], ["tsconfig.cjs.json", "commonjs"]]) {
  const run = spawnSync(process.execPath, [tsc, "-p", path.join(root, config)], { stdio: "inherit" });
  if (run.status !== 0) process.exit(run.status ?? 1);
  const out = path.join(root, "dist", type === "module" ? "esm" : "cjs");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "package.json"), JSON.stringify({ type }) + "\n");
}
