export const USAGE = `runtime-vault — command line for Runtime Vault

Admin (RV_URL + RV_TOKEN, an admin API token):
  secret set NAME [--scope S] [--from-file F] [--description D] [--tag T]…   value from stdin or F (hidden prompt on a terminal)
  secret rotate NAME [--scope S] [--from-file F]
  secret list [--scope S]                      names only
  secret exists NAME [--scope S]               prints true/false; exit 0/1
  secret delete NAME [--scope S]
  bot create NAME [--description D] [--env ENV] prints the bot token once; ENV: its default scope
  bot set-env BOT ENV                          scope its lease requests use when they name none
  bot list | bot freeze BOT [--reason R] | bot unfreeze BOT
  grant add --bot BOT --secret NAME [--scope S] [--max-ttl 15m] [--single-use] [--mount M] [--reveal-to-agent]
  grant set GRANT_ID (--reveal-to-agent | --no-reveal-to-agent)
       --reveal-to-agent: vault_read returns the value itself, so the agent's conversation holds the plaintext
  grant list [--bot BOT] [--secret NAME [--scope S]] | grant remove GRANT_ID
  lease list [--status active|…] [--bot BOT] | lease revoke LEASE_ID [--reason R]
  revoke-all (--bot BOT | --secret NAME [--scope S] | --all) --reason R
  audit tail [--after SEQ]                     live events (Ctrl-C to stop)
  audit export [--format csv|json] [--from ISO] [--to ISO] [--type T] [-o FILE]
  audit export --format jsonl [-o FILE]        the whole chain, every hashed field (for offline verify)
  audit verify [--full]                        exit 1 when the chain is broken (--full: from genesis)
  audit verify --export FILE [--from-archive A]… [--anchor FILE]
  audit verify --archive FILE… [--anchor FILE] offline, no server: exit 1 when broken; signatures are
                                               checked only with RV_MASTER_KEY set
  mount create NAME --bot BOT --command CMD [--arg A]… --map SECRET[@scope][=ENV][:tool,…]… --justification T [--ttl 15m]
  mount create NAME --bot BOT --url URL [--header "Name: value"]… --map SECRET[@scope][:tool,…]… --justification T
                                               a remote (Streamable HTTP) server; {{secret:NAME}} in header values
  mount list | mount show M | mount delete M
  mount config M [--npx | --package FILE.tgz] the MCP client entry: this CLI's absolute path; --npx/--package:
                                               npx pinned to this installation or to a tarball
  (key rewrap runs on the vault host: npm run key:rewrap in the server's checkout)

Runtime (RV_URL + RV_BOT_TOKEN, a bot token):
  exec --secret NAME[@scope][=ENV]… --justification "…" [--ttl 15m] [--scope S] [--grace 10s] -- COMMAND [ARGS]
       {{secret:NAME}} in ARGS is replaced by the value (visible in the process list).
       Output is masked as <secret:NAME>; a revoked lease stops COMMAND (exit 124);
       otherwise the exit code (or signal) is COMMAND's.
  mcp run MOUNT… [--gateway]                   serve mounted MCP servers over stdio; {{secret:NAME}} in a
                                               tool call's arguments is leased for that call; several mounts
                                               (or --gateway) serve one server, tools named MOUNT__TOOL
  mcp config MOUNT… [--gateway] [--npx | --package FILE]
                                               print the MCP client configuration (as mount config)
  mcp serve [--mount M]                        the vault's own MCP server over stdio: vault_list (names, never
                                               values) and vault_read ({{secret:NAME}} references for tool calls
                                               relayed by mcp run; the value only with a --reveal-to-agent grant)

runtime-vault --version prints the client's version.
Every command takes --json (machine-readable output), --url URL and --config FILE.
Config file (default ~/.config/runtime-vault/config.json, must be mode 0600):
  {"url": "https://vault.example", "token": "rva_…", "botToken": "rvb_…"}
`;
