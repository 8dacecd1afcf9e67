// The ready-to-paste `mcpServers` entry for a mount. It carries only where the vault
// is and a placeholder for the bot token: the client launches `runtime-vault mcp run`,
// which leases the secrets itself, so no secret value is ever written into a client config.
//
// The config hands the bot token to whatever its command starts, so the command must
// name one program, not a lookup someone else controls: `npx runtime-vault` outside a
// project that has it installed downloads whatever the public registry serves under
// that name. The CLI prints the absolute path of its own executable; an `npx` form
// always pins a local folder or tarball with --package.

export const BOT_TOKEN_PLACEHOLDER = "rvb_…paste the bot token here";

/** What starts the CLI: `command args… mcp run MOUNT`. */
export interface McpLauncher {
  command: string;
  args: string[];
}

// POSIX or Windows (C:\… or \\server\…); no node:path, so the SDK's entry stays fetch-only.
const isAbsolute = (p: string) => p.startsWith("/") || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith("\\\\");

/** `runtime-vault` found on the MCP client's PATH (a global install or the single-file executable). */
export const PATH_LAUNCHER: McpLauncher = { command: "runtime-vault", args: [] };

/**
 * `npx --package /abs/path runtime-vault`: runs the client from that folder or tarball
 * and never from the registry. Refuses a path that is not absolute (npx would read a
 * bare name as a registry package).
 */
export function npxLauncher(packagePath: string): McpLauncher {
  if (!isAbsolute(packagePath)) throw new Error(`npx needs the absolute path of the client's folder or tarball, not ${packagePath}`);
  return { command: "npx", args: ["--yes", `--package=${packagePath}`, "runtime-vault"] };
}

export interface McpClientConfigOptions {
  mount: { name: string };
  /** Further mounts served by the same `mcp run` (gateway mode: tools named <mount>__<tool>). */
  mounts?: string[];
  /** Gateway mode with one mount (`--gateway`: prefixed tools and the vault tools). */
  gateway?: boolean;
  /** Base URL of the vault as the MCP client's machine reaches it. */
  vaultUrl: string;
  /** Default: `runtime-vault` on PATH. The CLI passes its own absolute path. */
  launcher?: McpLauncher;
}

export interface McpServerEntry {
  command: string;
  args: string[];
  env: { RV_URL: string; RV_BOT_TOKEN: string };
}

/** The entry's name when one `mcp run` serves several mounts. */
export const GATEWAY_ENTRY_NAME = "runtime-vault";

export function mcpClientConfig({ mount, mounts = [], gateway = false, vaultUrl, launcher = PATH_LAUNCHER }: McpClientConfigOptions) {
  const several = mounts.length > 0;
  const entry: McpServerEntry = {
    command: launcher.command,
    args: [...launcher.args, "mcp", "run", mount.name, ...mounts, ...(gateway && !several ? ["--gateway"] : [])],
    env: { RV_URL: vaultUrl.replace(/\/+$/, ""), RV_BOT_TOKEN: BOT_TOKEN_PLACEHOLDER },
  };
  const config = { mcpServers: { [several ? GATEWAY_ENTRY_NAME : mount.name]: entry } };
  return { config, json: JSON.stringify(config, null, 2) };
}
