// Cold start of `runtime-vault --version`, median of N runs (default 10), for each way
// the CLI can be started; and the installed size of the package. Prints figures only
// (targets: ≤ 150 ms for the compiled CLI, ≤ 2 MB installed, 0 dependencies).
//   node client/scripts/cold-start.mjs [--runs 10]        (npm run bench:client)
// "tsx (before)" is how bin/runtime-vault.js started the CLI before the client package:
// the TypeScript source through tsx's loader, compiled at start.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const client = path.resolve(import.meta.dirname, "..");
const repo = path.dirname(client);
const { values } = parseArgs({ options: { runs: { type: "string", default: "10" } } });
const runs = Number(values.runs);
const pkg = JSON.parse(readFileSync(path.join(client, "package.json"), "utf8"));

function median(cmd, args, opts = {}) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: "utf8", ...opts });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0 || !r.stdout.includes(pkg.version)) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr || r.stdout}`);
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const tmp = mkdtempSync(path.join(os.tmpdir(), "rv-cold-"));
try {
  const rows = [];
  rows.push(["node -e 0 (baseline: Node itself)", median(process.execPath, ["-e", "process.stdout.write('" + pkg.version + "')"])]);
  const bin = path.join(client, "bin", "runtime-vault.js");
  if (!existsSync(path.join(client, "dist", "esm", "cli", "main.js"))) throw new Error("run npm run build:client first");
  rows.push(["node client/bin/runtime-vault.js (compiled)", median(process.execPath, [bin, "--version"])]);
  const sea = path.join(client, "build", "sea", "runtime-vault");
  if (existsSync(sea)) rows.push(["single-file executable (npm run build:sea)", median(sea, ["--version"])]);
  else rows.push(["single-file executable", "not built (npm run build:sea)"]);
  rows.push(["npx runtime-vault (in the checkout)", median("npx", ["runtime-vault", "--version"], { cwd: repo })]);
  // Before: the TypeScript source through tsx, as the old bin/runtime-vault.js did.
  // Written inside the repository, so that "tsx" resolves from its node_modules.
  const old = path.join(client, "build", "old-bin.mjs");
  mkdirSync(path.dirname(old), { recursive: true });
  writeFileSync(
    old,
    `import { register } from "tsx/esm/api";
     register({ tsconfig: ${JSON.stringify(path.join(repo, "tsconfig.json"))} });
     const { main } = await import(${JSON.stringify(path.join(client, "src", "cli", "main.ts"))});
     await main(process.argv.slice(2));`,
  );
  rows.push(["tsx + TypeScript source (before)", median(process.execPath, [old, "--version"])]);

  console.log(`runtime-vault --version, median of ${runs} runs (${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}):`);
  for (const [what, ms] of rows) console.log(`  ${what.padEnd(46)} ${typeof ms === "number" ? `${ms.toFixed(0)} ms` : ms}`);

  const packed = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: client, encoding: "utf8" });
  const [info] = JSON.parse(packed.stdout);
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies }).length;
  console.log(`installed size of ${pkg.name} ${pkg.version}: ${(info.unpackedSize / 1024).toFixed(0)} KiB in ${info.entryCount} files (tarball ${(info.size / 1024).toFixed(0)} KiB); ${deps} dependencies (target ≤ 2 MB, 0)`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
