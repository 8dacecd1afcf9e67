// The usage snippets shown under a new bot token: the CLI's environment and the MCP
// client entry (built by the client package, as on the mounts page). Placeholders only.
import { headers } from "next/headers";
import { BOT_TOKEN_PLACEHOLDER, mcpClientConfig } from "@/lib/mounts/mcp-client-config";

export function botUsageSnippets(vaultUrl: string) {
  const url = vaultUrl.replace(/\/+$/, "");
  const cli = [
    `export RV_URL=${url}`,
    `export RV_BOT_TOKEN='${BOT_TOKEN_PLACEHOLDER}'`,
    `runtime-vault exec --secret ACCOUNTING_API_KEY --justification "Why this run needs it" -- ./your-command`,
  ].join("\n");
  return { cli, mcp: mcpClientConfig({ mount: { name: "your-mount" }, vaultUrl: url }).json };
}

/** The snippets for the vault as the admin's browser reached it (pages shown after a new token). */
export async function botUsageForRequest() {
  const h = await headers();
  return botUsageSnippets(`${h.get("x-forwarded-proto") ?? "http"}://${h.get("host") ?? "localhost:3000"}`);
}
