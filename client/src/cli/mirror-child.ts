// The CLI standing in for the command it runs: signals it receives are passed on, and
// it exits the way the command did.
import type { ChildProcess } from "node:child_process";
import { constants } from "node:os";
import { signalChild, type ChildExit } from "../exec/child.ts";

export const FORWARDED_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];

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

/** The CLI's exit status mirroring the child's: its exit code, or death by the same signal. */
export function exitLike({ code, signal }: ChildExit): Promise<number> {
  if (!signal) return Promise.resolve(code ?? 1);
  FORWARDED_SIGNALS.forEach((s) => process.removeAllListeners(s));
  process.kill(process.pid, signal);
  // Signals Node survives by default: report them as a shell would (128 + n).
  return new Promise((resolve) => setTimeout(() => resolve(128 + (constants.signals[signal] ?? 0)), 200));
}
