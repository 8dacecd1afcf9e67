import { AdminClient } from "../sdk/admin-client.ts";
import { BotClient } from "../sdk/bot-client.ts";
import { VERSION } from "../version.ts";
import { loadConfig } from "./config.ts";
import { CliError } from "./errors.ts";
import type { MaskedSecret } from "../exec/mask.ts";

const USER_AGENT = `runtime-vault-cli/${VERSION}`;

export interface Context {
  json: boolean;
  admin(): AdminClient;
  bot(): BotClient;
  /** The CLI's own tokens, masked like values in a child's output (it may read them from the config file). */
  credentials(): MaskedSecret[];
}

export function context(values: { json?: boolean; url?: string; config?: string }): Context {
  const config = loadConfig({ configPath: values.config, url: values.url });
  const url = () => {
    if (!config.url) throw new CliError("No vault URL: set RV_URL (or \"url\" in the config file)");
    return config.url;
  };
  return {
    json: values.json === true,
    admin() {
      if (!config.token) throw new CliError("No admin token: set RV_TOKEN to an admin API token (rva_…) or \"token\" in the config file");
      return new AdminClient({ baseUrl: url(), token: config.token, userAgent: USER_AGENT });
    },
    bot() {
      if (!config.botToken) throw new CliError("No bot token: set RV_BOT_TOKEN (rvb_…) or \"botToken\" in the config file");
      return new BotClient({ baseUrl: url(), token: config.botToken, userAgent: USER_AGENT });
    },
    credentials() {
      return [
        { name: "RV_BOT_TOKEN", value: config.botToken ?? "" },
        { name: "RV_TOKEN", value: config.token ?? "" },
      ].filter((c) => c.value);
    },
  };
}
