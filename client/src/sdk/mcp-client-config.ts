// The ready-to-paste `mcpServers` entry for a mount. It carries only where the vault
// is and a placeholder for the bot token: the client launches `runtime-vault mcp run`,
// which leases the secrets itself, so no secret value is ever written into a client config.

export const BOT_TOKEN_PLACEHOLDER = "rvb_…paste the bot token here";

export interface McpClientConfigOptions {
  mount: { name: string };
  /** Base URL of the vault as the MCP client's machine reaches it. */
  vaultUrl: string;
  /** `runtime-vault` when installed on PATH; `npx` runs it from a checkout or package. */
  launcher?: "runtime-vault" | "npx";
}

export interface McpServerEntry {
  command: string;
  args: string[];
  env: { RV_URL: string; RV_BOT_TOKEN: string };
}

export function mcpClientConfig({ mount, vaultUrl, launcher = "runtime-vault" }: McpClientConfigOptions) {
  const runArgs = ["mcp", "run", mount.name];
  const entry: McpServerEntry = {
    command: launcher,
    args: launcher === "npx" ? ["runtime-vault", ...runArgs] : runArgs,
    env: { RV_URL: vaultUrl.replace(/\/+$/, ""), RV_BOT_TOKEN: BOT_TOKEN_PLACEHOLDER },
  };
  const config = { mcpServers: { [mount.name]: entry } };
  return { config, json: JSON.stringify(config, null, 2) };
}
