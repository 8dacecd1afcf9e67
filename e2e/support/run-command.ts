// Runs a program with exactly the environment given (nothing inherited), as a user's
// shell on another machine would: for suites that use the packed client.
import { spawn, type ChildProcess } from "node:child_process";

export interface CommandRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface StartedCommand {
  child: ChildProcess;
  done: Promise<CommandRun>;
  stdout(): string;
  /** Resolves once stdout matches (rejects after timeoutMs, or when the command ends first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export interface CommandOptions {
  cwd: string;
  env: Record<string, string>;
  /** Written to stdin, which is then closed; "open": a pipe left open (the caller may end it). Default: no stdin. */
  input?: string | "open";
}

export function startCommand(file: string, args: string[], { cwd, env, input }: CommandOptions): StartedCommand {
  const child: ChildProcess = spawn(file, args, { cwd, env: env as NodeJS.ProcessEnv, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  child.stdout!.on("data", (c: Buffer) => {
    stdout += c;
    listeners.forEach((l) => l());
  });
  child.stderr!.on("data", (c: Buffer) => (stderr += c));
  if (input !== undefined && input !== "open") child.stdin!.end(input);
  const done = new Promise<CommandRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const waitFor = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(stdout)) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${pattern} in the output within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      void done.then(() => {
        check();
        if (listeners.has(check)) {
          cleanup();
          reject(new Error(`ended before ${pattern}:\n${stdout}\n${stderr}`));
        }
      });
      check();
    });
  return { child, done, stdout: () => stdout, waitFor };
}

export function runCommand(file: string, args: string[], opts: CommandOptions): Promise<CommandRun> {
  return startCommand(file, args, opts).done;
}
