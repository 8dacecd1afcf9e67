// Starting, stopping and piping the child process (exec's engine, for the CLI and the SDK).
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { Transform, type Readable } from "node:stream";
import { finished } from "node:stream/promises";

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}


/** The launcher's own credentials never reach the child. */
export function childEnv(extra: Record<string, string>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
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

export function signalChild(child: ChildProcess, signal: NodeJS.Signals, group: boolean) {
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
