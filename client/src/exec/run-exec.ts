// exec's engine, shared by `runtime-vault exec` and the SDK's exec(): leases and
// resolves the secrets as the bot, starts the command with them in its environment (or
// in arguments through {{secret:NAME}}), masks them in its output, renews the leases
// while it runs, stops it when a lease is revoked (or cannot be renewed), and releases
// the leases when it exits.
import type { ChildProcess } from "node:child_process";
import { Writable } from "node:stream";
import type { BotClient } from "../sdk/bot-client.ts";
import { childEnv, pipeMasked, spawnChild, stopChild, waitForExit } from "./child.ts";
import { ExecError } from "./errors.ts";
import { LeaseKeeper } from "./lease-keeper.ts";
import { maskPatterns, StreamMasker, type MaskedSecret } from "./mask.ts";
import { substituteArgs, unresolvedPlaceholders } from "./secret-args.ts";

export interface ExecSecret {
  secret: string;
  /** Omitted: the bot's environment (its default scope) decides. */
  scope?: string;
  /** Environment variable that receives the value; default: the secret's name; null: none ({{secret:NAME}} in arguments only). */
  env?: string | null;
}

/** `NAME`, `NAME=ENV`, `NAME@scope`, `NAME@scope=ENV`; `NAME=` puts it in no variable (arguments only). */
export function parseSecretSpec(text: string, defaultScope?: string): Required<Pick<ExecSecret, "secret" | "env">> & { scope?: string } {
  const m = /^([A-Z][A-Z0-9_]*)(?:@([a-z][a-z0-9-]*))?(?:=([A-Za-z_][A-Za-z0-9_]*)?)?$/.exec(text);
  if (!m) throw new ExecError(`Invalid secret ${text} (use NAME[@scope][=ENV_NAME])`, 2);
  const env = text.includes("=") ? (m[3] ?? null) : m[1];
  return { secret: m[1], scope: m[2] ?? defaultScope, env };
}

/** Where a stream of the command's output goes, masked: collected into the result (default), a stream, or nowhere. */
export type ExecOutput = "collect" | "inherit" | "ignore" | NodeJS.WritableStream;

export interface RunExecOptions {
  bot: BotClient;
  secrets: ExecSecret[];
  justification: string;
  ttlSeconds?: number;
  /** How often the leases' status is checked (default 2 s). */
  pollMs?: number;
  /** Between SIGTERM and SIGKILL when the command is stopped (default 10 s). */
  graceMs?: number;
  /** The command's environment before the secrets are added (default: this process's, less the vault tokens). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Default "ignore"; a string or bytes are written to the command's stdin, which is then closed. */
  stdin?: "inherit" | "ignore" | string | Uint8Array;
  stdout?: ExecOutput;
  stderr?: ExecOutput;
  /** Start the command in its own process group, so that stopping it reaches its children too (default true). */
  group?: boolean;
  /** More values to mask (the CLI's own tokens). */
  alsoMask?: MaskedSecret[];
  /** Messages for a person: waiting for approval, arguments with values, why the command is stopped. Default: stderr. */
  notify?: (message: string) => void;
  /** Aborting stops the command (or the wait for the secrets) and releases the leases. */
  signal?: AbortSignal;
  /** Called once the command has started (the CLI forwards its signals to it). */
  onSpawn?: (child: ChildProcess) => void;
}

export interface ExecResult {
  /** The command's exit code (null when a signal ended it). */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Masked output, when collected. */
  stdout?: string;
  stderr?: string;
  /** Why the command was stopped: a lease was revoked, expired or refused renewal, or the signal aborted. */
  stopped?: string;
  /** The command was stopped because a lease ended (the CLI exits 124 then). */
  leaseEnded: boolean;
}

const defaultNotify = (message: string) => void process.stderr.write(`runtime-vault: ${message}\n`);

function outputTarget(kind: ExecOutput | undefined, inherit: NodeJS.WritableStream): { target: NodeJS.WritableStream; text?: () => string } {
  if (kind === "inherit") return { target: inherit };
  if (kind !== undefined && kind !== "collect" && kind !== "ignore") return { target: kind };
  const chunks: Buffer[] = [];
  const target = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (kind !== "ignore") chunks.push(chunk);
      cb();
    },
  });
  return kind === "ignore" ? { target } : { target, text: () => Buffer.concat(chunks).toString("utf8") };
}

export async function runExec(command: string, args: string[], opts: RunExecOptions): Promise<ExecResult> {
  if (!command) throw new ExecError("exec needs a command", 2);
  if (opts.secrets.length === 0) throw new ExecError("exec needs at least one secret", 2);
  const missing = unresolvedPlaceholders(args, new Set(opts.secrets.map((s) => s.secret)));
  if (missing.length) throw new ExecError(`{{secret:${missing[0]}}} is used but not requested as a secret`, 2);
  const notify = opts.notify ?? defaultNotify;
  const group = opts.group ?? true;
  const graceMs = opts.graceMs ?? 10_000;

  let stopped: string | undefined;
  let leaseEnded = false;
  let stop = (_reason: string) => {};
  const keeper = new LeaseKeeper(opts.bot, {
    ttlSeconds: opts.ttlSeconds,
    pollMs: opts.pollMs,
    notify,
    onEnded: (reason) => {
      leaseEnded = true;
      stop(reason);
    },
    renewalJustification: () => `${opts.justification} (renewal)`,
  });
  const onAbort = () => stop("aborted");
  stop = (reason) => keeper.cancel(reason);
  if (opts.signal?.aborted) throw new ExecError("aborted before the start", 1, { cause: opts.signal.reason });
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const held = await keeper.acquire(opts.secrets.map(({ secret, scope }) => ({ secret, scope })), opts.justification);
    const env: Record<string, string> = {};
    opts.secrets.forEach((s, i) => {
      const name = s.env === undefined ? s.secret : s.env;
      if (name) env[name] = held[i].value;
    });
    const finalArgs = substituteArgs(args, new Map(held.map((h) => [h.secret, h.value])), command, notify);
    const patterns = maskPatterns([...held.map((h) => ({ name: h.secret, value: h.value })), ...(opts.alsoMask ?? [])]);

    const stdin = opts.stdin ?? "ignore";
    let child: ChildProcess;
    try {
      child = await spawnChild(command, finalArgs, {
        stdio: [stdin === "inherit" || stdin === "ignore" ? stdin : "pipe", "pipe", "pipe"],
        env: childEnv(env, opts.env),
        cwd: opts.cwd,
        detached: group,
      });
    } catch (err) {
      await keeper.releaseAll();
      throw new ExecError(`cannot start ${command}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 127, { cause: err });
    }
    if (stdin !== "inherit" && stdin !== "ignore") {
      if (child.stdin) {
        child.stdin.on("error", () => {}); // the command may exit without reading it
        child.stdin.end(stdin);
      }
    }
    opts.onSpawn?.(child);
    const out = outputTarget(opts.stdout, process.stdout);
    const err = outputTarget(opts.stderr, process.stderr);
    const outputs = Promise.all([pipeMasked(child.stdout!, new StreamMasker(patterns), out.target), pipeMasked(child.stderr!, new StreamMasker(patterns), err.target)]);
    stop = (reason) => {
      if (stopped) return;
      stopped = reason;
      notify(`${reason}; stopping ${command}`);
      void stopChild(child, { graceMs, group });
    };
    if (opts.signal?.aborted) onAbort();
    keeper.start();

    const exit = await waitForExit(child);
    await outputs;
    await keeper.releaseAll();
    return { ...exit, stopped, leaseEnded, ...(out.text ? { stdout: out.text() } : {}), ...(err.text ? { stderr: err.text() } : {}) };
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
}
