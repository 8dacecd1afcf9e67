// Runtime Vault TypeScript SDK: `import { createClient } from "runtime-vault/sdk"`.
// fetch only, no dependencies.
import { AdminClient } from "./admin-client";
import { BotClient } from "./bot-client";
import type { HttpOptions } from "./http";

export * from "./errors";
export type * from "./types";
export type { HttpOptions } from "./http";
export { AdminClient } from "./admin-client";
export { BotClient } from "./bot-client";
export { parseSse } from "./sse";

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
