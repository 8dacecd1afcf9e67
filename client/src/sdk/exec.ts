// exec() for programs: the CLI's `runtime-vault exec` engine (src/exec/run-exec.ts) as
// a function. Leases the secrets as the bot, runs the command with them, masks them in
// its output, renews the leases, stops the command when one is revoked, releases them.
import { BotClient } from "./bot-client.ts";
import type { HttpOptions } from "./http.ts";
import { parseDurationSeconds } from "../exec/duration.ts";
import { ExecError } from "../exec/errors.ts";
import { parseSecretSpec, runExec, type ExecResult, type ExecSecret, type RunExecOptions } from "../exec/run-exec.ts";

export interface ExecOptions extends Omit<RunExecOptions, "bot" | "secrets" | "ttlSeconds" | "justification"> {
  /** `"NAME"`, `"NAME@scope"`, `"NAME=ENV"` (or `{ secret, scope?, env? }`); the value goes into the variable named so (default: the secret's name). */
  secrets: Array<string | ExecSecret>;
  justification: string;
  /** Lease lifetime: seconds, or "90s", "15m", "1h". */
  ttl?: number | string;
  /** Scope for secrets that name none (default: the bot's environment). */
  scope?: string;
  /** The bot client to lease with; default: one from `url` / `botToken`, or RV_URL / RV_BOT_TOKEN. */
  bot?: BotClient;
  url?: string;
  botToken?: string;
  http?: Omit<HttpOptions, "baseUrl" | "token">;
}

function ttlSeconds(ttl: number | string | undefined): number | undefined {
  if (ttl === undefined) return undefined;
  const n = typeof ttl === "number" ? (Number.isInteger(ttl) && ttl >= 1 ? ttl : null) : parseDurationSeconds(ttl);
  if (n === null) throw new ExecError(`Invalid ttl ${ttl} (seconds, or e.g. 90s, 15m, 1h)`, 2);
  return n;
}

/**
 * Runs `command args…` with the listed secrets in its environment (or in arguments as
 * `{{secret:NAME}}`). Resolves when it exits, to its code and signal, the masked output
 * (collected unless `stdout`/`stderr` say otherwise), and `leaseEnded` when a revoked,
 * expired or refused lease stopped it. Rejects with an ExecError (its `cause` the API
 * error, e.g. PermissionDenied) when the secrets cannot be had or the command cannot start.
 */
export function exec(command: string, args: string[], options: ExecOptions): Promise<ExecResult> {
  const { secrets, ttl, scope, bot, url, botToken, http, ...rest } = options;
  const env: Record<string, string | undefined> = process.env;
  const client = bot ?? new BotClient({ ...http, baseUrl: url ?? env.RV_URL ?? "", token: botToken ?? env.RV_BOT_TOKEN ?? "" });
  const wanted = secrets.map((s) => (typeof s === "string" ? parseSecretSpec(s, scope) : { ...s, scope: s.scope ?? scope }));
  return runExec(command, args, { ...rest, bot: client, secrets: wanted, ttlSeconds: ttlSeconds(ttl) });
}

export type { ExecResult, ExecSecret, ExecOutput } from "../exec/run-exec.ts";
export { ExecError } from "../exec/errors.ts";
