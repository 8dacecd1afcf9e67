// Where the CLI finds the vault and its credentials: RV_URL, RV_TOKEN (admin) and
// RV_BOT_TOKEN (runtime), or a JSON config file that nobody else may read.
import { readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CliError } from "./errors.ts";
import { takenTokens } from "./scrub-environ.ts";

export interface CliConfig {
  url?: string;
  token?: string;
  botToken?: string;
}

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RV_CONFIG) return env.RV_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config");
  return path.join(base, "runtime-vault", "config.json");
}

/** Reads the config file; refuses one that group or others can read or write (it holds tokens). */
export function readConfigFile(file: string, required: boolean): CliConfig {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    if (required) throw new CliError(`Config file ${file} not found`);
    return {};
  }
  if ((mode & 0o077) !== 0) {
    throw new CliError(`Config file ${file} must not be accessible to others (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${file}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new CliError(`Config file ${file} is not valid JSON`);
  }
  const c = parsed as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  return { url: str(c.url), token: str(c.token), botToken: str(c.botToken) };
}

/** Environment first (the tokens as taken from it at startup), then the file (named by --config / RV_CONFIG, or the default path). */
export function loadConfig({ configPath, url }: { configPath?: string; url?: string } = {}, env: NodeJS.ProcessEnv = { ...process.env, ...takenTokens() }): CliConfig {
  const file = readConfigFile(configPath ?? defaultConfigPath(env), configPath !== undefined);
  return {
    url: url ?? env.RV_URL ?? file.url,
    token: env.RV_TOKEN ?? file.token,
    botToken: env.RV_BOT_TOKEN ?? file.botToken,
  };
}
