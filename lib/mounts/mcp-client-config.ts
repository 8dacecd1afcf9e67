// The MCP client configuration is built by the client package (the CLI's `mount config`
// prints it too); the admin pages show the same entry.
export { mcpClientConfig, BOT_TOKEN_PLACEHOLDER, type McpClientConfigOptions, type McpServerEntry } from "runtime-vault";
