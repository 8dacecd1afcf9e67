// How an MCP client should start this very CLI: the absolute path of what is running
// now, so a config never depends on a PATH lookup or a registry download.
import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import { isSea } from "node:sea";
import { npxLauncher, type McpLauncher } from "../sdk/mcp-client-config.ts";
import { CliError } from "./errors.ts";

/** The single-file executable, or node plus the CLI's entry script (symlinks resolved). */
export function runningLauncher(): McpLauncher {
  if (isSea()) return { command: process.execPath, args: [] };
  const entry = process.argv[1];
  if (!entry) throw new CliError("cannot tell which script is running the CLI");
  return { command: realpathSync(process.execPath), args: [realpathSync(entry)] };
}

/** The folder of the installed package this CLI runs from (bin/runtime-vault.js's parent's parent). */
export function installedPackageDir(): string {
  if (isSea()) throw new CliError("the single-file executable is not an npm package: use its path (the default), or --package FILE.tgz");
  const dir = path.dirname(path.dirname(realpathSync(process.argv[1] ?? "")));
  if (!existsSync(path.join(dir, "package.json"))) throw new CliError(`cannot find the client package around ${process.argv[1]}: use --package`);
  return dir;
}

/**
 * `mount config` / `mcp config` launcher from their options: by default this CLI's own
 * path; --npx pins this installation's folder, --package a given folder or tarball.
 */
export function configLauncher({ npx, pkg }: { npx?: boolean; pkg?: string }): McpLauncher {
  if (pkg !== undefined) {
    const abs = path.resolve(pkg);
    if (!existsSync(abs)) throw new CliError(`--package ${pkg}: no such file or folder`);
    return npxLauncher(abs);
  }
  if (npx) return npxLauncher(installedPackageDir());
  return runningLauncher();
}
