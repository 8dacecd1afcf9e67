// Starting, stopping and mirroring the child process.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { constants } from "node:os";
import { Transform, type Readable } from "node:stream";
import { finished } from "node:stream/promises";

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export const FORWARDED_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];

/** The launcher's own credentials never reach the child. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.RV_TOKEN;
  delete env.RV_BOT_TOKEN;
  return { ...env, ...extra };
}

export function spawnChild(command: string, args: string[], options: SpawnOptions): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, options);
    child.once("spawn", () => resolve(child));
    child.once("error", reject);
  });
}

export function waitForExit(child: ChildProcess): Promise<ChildExit> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

function signalChild(child: ChildProcess, signal: NodeJS.Signals, group: boolean) {
  try {
    if (group && child.pid) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM, then SIGKILL when the child is still there after the grace period. */
export async function stopChild(child: ChildProcess, { graceMs, group }: { graceMs: number; group: boolean }) {
  const exit = waitForExit(child);
  signalChild(child, "SIGTERM", group);
  const timer = setTimeout(() => signalChild(child, "SIGKILL", group), graceMs);
  await exit;
  clearTimeout(timer);
}

/**
 * Passes the CLI's signals on. A terminal sends SIGINT/SIGQUIT to the whole
 * foreground group, so a child in our group already has them: only signals aimed at
 * this process alone are forwarded then.
 */
export function forwardSignals(child: ChildProcess, group: boolean): () => void {
  const handlers = FORWARDED_SIGNALS.map((signal) => {
    const handler = () => {
      if (group || (signal !== "SIGINT" && signal !== "SIGQUIT")) signalChild(child, signal, group);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => handlers.forEach(([signal, handler]) => process.off(signal, handler));
}

/**
 * Pipes `source` through a masker into `target` (left open); resolves when all is
 * written. When `target` fails (its reader is gone), `source` is closed, so the child's
 * next write fails as it would have without us in between.
 */
export function pipeMasked(source: Readable, masker: { push(b: Buffer): Buffer; end(): Buffer }, target: NodeJS.WritableStream): Promise<void> {
  const transform = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      cb(null, masker.push(chunk));
    },
    flush(cb) {
      cb(null, masker.end());
    },
  });
  // Our reader went away: with an error (EPIPE) or, when no write was pending, only a
  // close, after which pipe() just unpipes and the child would block on a full pipe.
  const onTargetGone = () => {
    source.destroy();
    transform.destroy();
  };
  target.on("error", onTargetGone);
  target.on("close", onTargetGone);
  source.pipe(transform).pipe(target, { end: false });
  const detach = () => {
    target.off("error", onTargetGone);
    target.off("close", onTargetGone);
  };
  return finished(transform).then(detach, detach);
}

/** The CLI's exit status mirroring the child's: its exit code, or death by the same signal. */
export function exitLike({ code, signal }: ChildExit): Promise<number> {
  if (!signal) return Promise.resolve(code ?? 1);
  FORWARDED_SIGNALS.forEach((s) => process.removeAllListeners(s));
  process.kill(process.pid, signal);
  // Signals Node survives by default: report them as a shell would (128 + n).
  return new Promise((resolve) => setTimeout(() => resolve(128 + (constants.signals[signal] ?? 0)), 200));
}
