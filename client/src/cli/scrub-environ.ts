// The CLI's tokens leave its environment as soon as it starts. Deleting them from
// process.env is not enough on Linux: /proc/<pid>/environ shows the environment block
// the process was started with, and any process of the same user can read it, a
// command `exec` runs included (through /proc/$PPID/environ). So their bytes in that
// block are overwritten, through /proc/self/mem. (Re-executing without them does not
// help on Node 20, which has no execve: the first process would stay alive as the
// parent, its block unchanged.)
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";

export const TOKEN_VARIABLES = ["RV_TOKEN", "RV_BOT_TOKEN"] as const;
export type TokenVariable = (typeof TOKEN_VARIABLES)[number];

const taken: Partial<Record<TokenVariable, string>> = {};
let exposed: TokenVariable[] = [];

/** The tokens the CLI was started with (they are no longer in process.env). */
export function takenTokens(): Partial<Record<TokenVariable, string>> {
  return { ...taken };
}

/** Token variables still readable in /proc/<pid>/environ (the scrub failed). */
export function exposedTokenVariables(): TokenVariable[] {
  return exposed;
}

/** Start of the initial environment block in this process's memory (field 50 of /proc/self/stat). */
function environStart(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const start = Number(fields[50 - 3]);
  if (!Number.isSafeInteger(start) || start <= 0) throw new Error("no env_start in /proc/self/stat");
  return start;
}

/** Offsets and lengths of the `NAME=…` entries in an environ block. */
function entries(block: Buffer, names: readonly string[]): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (let at = 0; at < block.length; ) {
    let end = block.indexOf(0, at);
    if (end < 0) end = block.length;
    const entry = block.subarray(at, end).toString("latin1");
    if (names.some((n) => entry.startsWith(`${n}=`))) found.push([at, end - at]);
    at = end + 1;
  }
  return found;
}

/** Overwrites the variables in this process's initial environment block; false when they are still there. */
export function scrubInitialEnvironment(names: readonly string[]): boolean {
  let block: Buffer;
  try {
    block = readFileSync("/proc/self/environ");
  } catch {
    return true; // no /proc (not Linux): nothing another process could read there
  }
  const found = entries(block, names);
  if (found.length === 0) return true;
  try {
    const start = environStart();
    const fd = openSync("/proc/self/mem", "r+");
    try {
      for (const [offset, length] of found) writeSync(fd, Buffer.alloc(length), 0, length, start + offset);
    } finally {
      closeSync(fd);
    }
    return entries(readFileSync("/proc/self/environ"), names).length === 0;
  } catch {
    return false;
  }
}

/** Moves the tokens out of the environment: into this module, out of process.env and out of /proc/<pid>/environ. */
export function takeTokensFromEnvironment(env: NodeJS.ProcessEnv = process.env) {
  const present = TOKEN_VARIABLES.filter((name) => env[name] !== undefined);
  for (const name of present) {
    taken[name] = env[name];
    delete env[name];
  }
  exposed = present.length && !scrubInitialEnvironment(present) ? present : [];
}

/** For commands that start other programs: the warning when those can still read a token in /proc/<pid>/environ. */
export function exposedTokensWarning(): string | null {
  if (exposed.length === 0) return null;
  return `warning: could not remove ${exposed.join(" and ")} from /proc/${process.pid}/environ, where the started program can read it`;
}
