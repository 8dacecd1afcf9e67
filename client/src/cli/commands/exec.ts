// runtime-vault exec --secret NAME[@scope][=ENV] … --justification "…" [--ttl 15m] -- COMMAND [ARGS]
// The CLI face of exec's engine (exec/run-exec.ts, which the SDK's exec() shares): the
// command gets the terminal's stdin and the masked output, the CLI's signals, and the
// CLI exits as the command did (124 when a lease ended it).
import type { ChildProcess } from "node:child_process";
import { parse, parseDuration } from "../args.ts";
import { context } from "../context.ts";
import { EXIT, UsageError } from "../errors.ts";
import { info } from "../output.ts";
import { exitLike, forwardSignals } from "../mirror-child.ts";
import { exposedTokensWarning } from "../scrub-environ.ts";
import { ExecError } from "../../exec/errors.ts";
import { parseSecretSpec as parseSpec, runExec, type ExecSecret } from "../../exec/run-exec.ts";

/** `NAME`, `NAME=ENV`, `NAME@scope=ENV`; `NAME=` puts it in no variable (arguments only). */
export function parseSecretSpec(text: string, defaultScope?: string): ExecSecret {
  try {
    return parseSpec(text, defaultScope);
  } catch (err) {
    throw err instanceof ExecError ? new UsageError(err.message.replace(/^Invalid secret/, "Invalid --secret")) : err;
  }
}

export function splitCommand(argv: string[]): { own: string[]; command: string[] } {
  const dash = argv.indexOf("--");
  return dash < 0 ? { own: argv, command: [] } : { own: argv.slice(0, dash), command: argv.slice(dash + 1) };
}

export async function execCommand(argv: string[]): Promise<number> {
  const { own, command } = splitCommand(argv);
  const { values } = parse(
    own,
    {
      secret: { type: "string", multiple: true },
      justification: { type: "string", short: "j" },
      ttl: { type: "string" },
      scope: { type: "string", short: "s" },
      grace: { type: "string" },
      poll: { type: "string" },
    },
    { max: 0 },
  );
  if (!values.secret?.length) throw new UsageError("exec needs at least one --secret NAME[=ENV]");
  if (command.length === 0) throw new UsageError("exec needs a command after --");
  const secrets = values.secret.map((s) => parseSecretSpec(s, values.scope));
  const [file, ...args] = command;
  const ctx = context(values);
  const bot = ctx.bot();
  const exposed = exposedTokensWarning();
  if (exposed) info(exposed);

  // With a terminal on stdin the child must stay in our process group (or reading it
  // would stop it); otherwise it gets its own, so stopping it reaches its children too.
  const group = !process.stdin.isTTY;
  let unforward = () => {};
  let result;
  try {
    result = await runExec(file, args, {
      bot,
      secrets,
      justification: values.justification ?? "",
      ttlSeconds: values.ttl ? parseDuration(values.ttl) : undefined,
      pollMs: values.poll ? parseDuration(values.poll) * 1000 : Number(process.env.RV_POLL_MS) || undefined,
      graceMs: values.grace ? parseDuration(values.grace) * 1000 : 10_000,
      stdin: "inherit",
      stdout: process.stdout,
      stderr: process.stderr,
      group,
      alsoMask: ctx.credentials(),
      notify: info,
      onSpawn: (child: ChildProcess) => (unforward = forwardSignals(child, group)),
    });
  } catch (err) {
    // A placeholder without its --secret is a usage error, as before the engine moved.
    if (err instanceof ExecError && err.exitCode === 2 && !(err instanceof UsageError)) throw new UsageError(err.message.replace("requested as a secret", "requested with --secret"));
    throw err;
  } finally {
    unforward();
  }
  if (result.leaseEnded) return EXIT.leaseEnded;
  return exitLike(result);
}
