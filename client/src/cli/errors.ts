import { ExecError } from "../exec/errors.ts";

/** A failure the CLI reports as one line on stderr, with its exit code (as every ExecError). */
export class CliError extends ExecError {}

export class UsageError extends CliError {
  constructor(message: string) {
    super(`${message}\nRun \`runtime-vault help\` for usage.`, 2);
  }
}

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** The child was stopped because a lease was revoked, denied renewal, or expired. */
  leaseEnded: 124,
} as const;
