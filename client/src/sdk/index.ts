// Runtime Vault SDK: `import { createClient } from "runtime-vault"` (ESM) or
// `const { createClient } = require("runtime-vault")` (CommonJS). No dependencies: fetch
// for the API, node:child_process for exec().
import { AdminClient } from "./admin-client.ts";
import { BotClient } from "./bot-client.ts";
import type { HttpOptions } from "./http.ts";

export * from "./errors.ts";
export type * from "./types.ts";
export type { HttpOptions } from "./http.ts";
export { AdminClient } from "./admin-client.ts";
export { BotClient, type HeldLease, type LeaseOptions } from "./bot-client.ts";
export { exec, ExecError, type ExecOptions, type ExecResult, type ExecSecret, type ExecOutput } from "./exec.ts";
export { parseSse, type SseMessage } from "./sse.ts";
export { formatReference } from "../exec/secret-references.ts";
export { mcpClientConfig, npxLauncher, PATH_LAUNCHER, BOT_TOKEN_PLACEHOLDER, type McpClientConfigOptions, type McpServerEntry, type McpLauncher } from "./mcp-client-config.ts";
export { VERSION } from "../version.ts";

export type ClientOptions = Omit<HttpOptions, "token" | "baseUrl"> & {
  /** Default: RV_URL. */
  url?: string;
  /** Admin API token (rva_…). Default: RV_TOKEN. */
  token?: string;
  /** Bot token (rvb_…). Default: RV_BOT_TOKEN. */
  botToken?: string;
};

/** `admin` and `bot` clients from options, falling back to RV_URL / RV_TOKEN / RV_BOT_TOKEN. */
export function createClient(opts: ClientOptions = {}) {
  const env: Record<string, string | undefined> = typeof process !== "undefined" ? process.env : {};
  const { url, token, botToken, ...rest } = opts;
  const baseUrl = url ?? env.RV_URL ?? "";
  return {
    admin: new AdminClient({ ...rest, baseUrl, token: token ?? env.RV_TOKEN ?? "" }),
    bot: new BotClient({ ...rest, baseUrl, token: botToken ?? env.RV_BOT_TOKEN ?? "" }),
  };
}
