// Runs the `runtime-vault` CLI (bin/runtime-vault.js) or an npm script's TypeScript entry
// as its own process, with exactly the environment given (nothing inherited but PATH).
import { spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..");
export const CLI = path.join(ROOT, "bin", "runtime-vault.js");

export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runProcess(args: string[], { cwd = ROOT, env = {} }: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<ProcessRun> {
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH, ...env } as unknown as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c));
  child.stderr!.on("data", (c: Buffer) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** `runtime-vault …` */
export const runCli = (args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}) => runProcess([CLI, ...args], opts);

/** A TypeScript script as `npm run` starts it (tsx), from the repository root. */
export const runScript = (script: string, args: string[], env: Record<string, string | undefined> = {}) =>
  runProcess(["--import", "tsx", path.join(ROOT, script), ...args], { env });
