// Entry point of the `runtime-vault` CLI (bin/runtime-vault.js loads it through tsx).
import { RuntimeVaultError } from "../sdk/errors";
import { CliError } from "./errors";
import { takeTokensFromEnvironment } from "./scrub-environ";
import { USAGE } from "./usage";
import { secretCommand } from "./commands/secret";
import { botCommand } from "./commands/bot";
import { grantCommand } from "./commands/grant";
import { leaseCommand, revokeAllCommand } from "./commands/lease";
import { auditCommand } from "./commands/audit";
import { keyCommand } from "./commands/key";
import { mountCommand } from "./commands/mount";
import { execCommand } from "./commands/exec";
import { mcpCommand } from "./commands/mcp";

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  secret: secretCommand,
  bot: botCommand,
  grant: grantCommand,
  lease: leaseCommand,
  "revoke-all": revokeAllCommand,
  audit: auditCommand,
  key: keyCommand,
  mount: mountCommand,
  exec: execCommand,
  mcp: mcpCommand,
};

export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    process.stderr.write(`runtime-vault: unknown command ${command}\n${USAGE}`);
    return 2;
  }
  if (rest.includes("--help") && command !== "exec") {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    return await handler(rest);
  } catch (err) {
    if (err instanceof CliError) {
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
