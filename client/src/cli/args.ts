import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Options every command accepts. */
export const GLOBAL_OPTIONS = {
  json: { type: "boolean" },
  url: { type: "string" },
  config: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

type Config<O extends Options> = { args: string[]; options: typeof GLOBAL_OPTIONS & O; allowPositionals: true; strict: true };

export function parse<O extends Options>(argv: string[], options: O, { min = 0, max = Infinity }: { min?: number; max?: number } = {}): Pick<ReturnType<typeof parseArgs<Config<O>>>, "values" | "positionals"> {
  let parsed;
  try {
    parsed = parseArgs<Config<O>>({ args: argv, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { positionals, values } = parsed;
  if (!(values as { help?: boolean }).help && (positionals.length < min || positionals.length > max)) {
    throw new UsageError(positionals.length < min ? "Missing argument" : `Unexpected argument: ${positionals[max]}`);
  }
  return { values, positionals };
}

/** `15m`, `90s`, `2h`, `1d` or plain seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new UsageError(`Invalid duration: ${text} (use e.g. 90s, 15m, 1h)`);
  const n = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? "s") as "s" | "m" | "h" | "d"];
  if (n < 1) throw new UsageError(`Invalid duration: ${text}`);
  return n;
}
