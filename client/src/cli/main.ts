// Entry point of the `runtime-vault` CLI (bin/runtime-vault.js loads its compiled JavaScript).
import { RuntimeVaultError } from "../sdk/errors.ts";
import { CliError } from "./errors.ts";
import { ExecError } from "../exec/errors.ts";
import { VERSION } from "../version.ts";
import { takeTokensFromEnvironment } from "./scrub-environ.ts";
import { USAGE } from "./usage.ts";

// Operator commands that need the vault's database run on the vault host, from the
// server's checkout: the client package carries nothing that talks to the database.
async function keyCommand(): Promise<number> {
  throw new CliError("key rewrap runs on the vault host, from the server's checkout: npm run key:rewrap (DATABASE_URL, RV_MASTER_KEY, RV_PREVIOUS_MASTER_KEYS)", 2);
}

type Command = (argv: string[]) => Promise<number>;

// Loaded on use: a command's start pays only for its own modules.
const COMMANDS: Record<string, () => Promise<Command>> = {
  secret: async () => (await import("./commands/secret.ts")).secretCommand,
  bot: async () => (await import("./commands/bot.ts")).botCommand,
  grant: async () => (await import("./commands/grant.ts")).grantCommand,
  lease: async () => (await import("./commands/lease.ts")).leaseCommand,
  "revoke-all": async () => (await import("./commands/lease.ts")).revokeAllCommand,
  audit: async () => (await import("./commands/audit.ts")).auditCommand,
  key: async () => keyCommand,
  mount: async () => (await import("./commands/mount.ts")).mountCommand,
  exec: async () => (await import("./commands/exec.ts")).execCommand,
  mcp: async () => (await import("./commands/mcp.ts")).mcpCommand,
};

export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === "--version" || command === "-v" || command === "version") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!load) {
    process.stderr.write(`runtime-vault: unknown command ${command}\n${USAGE}`);
    return 2;
  }
  if (rest.includes("--help") && command !== "exec") {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    return await (await load())(rest);
  } catch (err) {
    if (err instanceof ExecError) {
      process.stderr.write(`runtime-vault: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof RuntimeVaultError) {
      // API messages never carry secret values.
      process.stderr.write(`runtime-vault: ${err.code}: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`runtime-vault: unexpected error: ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  }
}

export async function main(argv: string[]) {
  takeTokensFromEnvironment();
  const code = await run(argv);
  // Let piped output drain before exiting (unless stdout is gone: nothing will drain then).
  process.exitCode = code;
  if (process.stdout.writableNeedDrain && !process.stdout.destroyed) {
    await new Promise((r) => ["drain", "close", "error"].forEach((e) => process.stdout.once(e, r)));
  }
  process.exit(code);
}
