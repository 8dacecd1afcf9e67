// runtime-vault exec --secret NAME[@scope][=ENV] … --justification "…" [--ttl 15m] -- COMMAND [ARGS]
// Leases and resolves the secrets as the bot, starts COMMAND with them in its
// environment (or in arguments through {{secret:NAME}}), masks them in its output,
// stops it when a lease is revoked, and releases the leases when it exits.
import { parse, parseDuration } from "../args";
import { context } from "../context";
import { EXIT, UsageError } from "../errors";
import { info } from "../output";
import { maskPatterns, StreamMasker } from "../mask";
import { LeaseKeeper } from "../lease-keeper";
import { childEnv, exitLike, forwardSignals, pipeMasked, spawnChild, stopChild, waitForExit } from "../child";
import { substituteArgs, unresolvedPlaceholders } from "../secret-args";
import { exposedTokensWarning } from "../scrub-environ";

export interface SecretSpec {
  secret: string;
  /** Omitted: the bot's environment. */
  scope?: string;
  env: string | null;
}

/** `NAME`, `NAME=ENV`, `NAME@scope=ENV`; `NAME=` puts it in no variable (arguments only). */
export function parseSecretSpec(text: string, defaultScope?: string): SecretSpec {
  const m = /^([A-Z][A-Z0-9_]*)(?:@([a-z][a-z0-9-]*))?(?:=([A-Za-z_][A-Za-z0-9_]*)?)?$/.exec(text);
  if (!m) throw new UsageError(`Invalid --secret ${text} (use NAME[@scope][=ENV_NAME])`);
  const env = text.includes("=") ? (m[3] ?? null) : m[1];
  return { secret: m[1], scope: m[2] ?? defaultScope, env };
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
  const specs = values.secret.map((s) => parseSecretSpec(s, values.scope));
  const missing = unresolvedPlaceholders(command.slice(1), new Set(specs.map((s) => s.secret)));
  if (missing.length) throw new UsageError(`{{secret:${missing[0]}}} is used but not requested with --secret`);
  const justification = values.justification ?? "";
  const ctx = context(values);

  let stopReason: string | null = null;
  let onEnded = (_reason: string) => {};
  const keeper = new LeaseKeeper(ctx.bot(), {
    ttlSeconds: values.ttl ? parseDuration(values.ttl) : undefined,
    pollMs: values.poll ? parseDuration(values.poll) * 1000 : Number(process.env.RV_POLL_MS) || undefined,
    onEnded: (reason) => onEnded(reason),
    renewalJustification: () => `${justification} (renewal)`,
  });
  const held = await keeper.acquire(specs, justification);
  const byName = new Map(held.map((h) => [h.secret, h.value]));
  const env: Record<string, string> = {};
  specs.forEach((s, i) => {
    if (s.env) env[s.env] = held[i].value;
  });
  const [file, ...rawArgs] = command;
  const args = substituteArgs(rawArgs, byName, file);
  const patterns = maskPatterns([...held.map((h) => ({ name: h.secret, value: h.value })), ...ctx.credentials()]);
  const exposed = exposedTokensWarning();
  if (exposed) info(exposed);

  // With a terminal on stdin the child must stay in our process group (or reading it
  // would stop it); otherwise it gets its own, so stopping it reaches its children too.
  const group = !process.stdin.isTTY;
  let child;
  try {
    child = await spawnChild(file, args, { stdio: ["inherit", "pipe", "pipe"], env: childEnv(env), detached: group });
  } catch (err) {
    await keeper.releaseAll();
    info(`cannot start ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return 127;
  }
  const unforward = forwardSignals(child, group);
  const outputs = Promise.all([
    pipeMasked(child.stdout!, new StreamMasker(patterns), process.stdout),
    pipeMasked(child.stderr!, new StreamMasker(patterns), process.stderr),
  ]);
  const graceMs = values.grace ? parseDuration(values.grace) * 1000 : 10_000;
  onEnded = (reason) => {
    stopReason = reason;
    info(`${reason}; stopping ${file}`);
    void stopChild(child, { graceMs, group });
  };
  keeper.start();

  const exit = await waitForExit(child);
  await outputs;
  unforward();
  await keeper.releaseAll();
  if (stopReason) return EXIT.leaseEnded;
  return exitLike(exit);
}
