// A process and its descendants, from /proc (Linux): for suites that inspect what a
// server's processes hold (their environment).
import { readdirSync, readFileSync } from "node:fs";

export function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name in parentheses may hold spaces: read after the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

/** Names of the environment variables of a process (empty when it is gone). */
export function environmentOf(pid: number): { names: string[]; text: string } {
  try {
    const text = readFileSync(`/proc/${pid}/environ`, "utf8");
    return { names: text.split("\0").filter(Boolean).map((kv) => kv.split("=")[0]), text };
  } catch {
    return { names: [], text: "" };
  }
}

/** Running, and not a zombie (nobody may be left to reap it). */
export function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
