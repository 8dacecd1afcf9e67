// Arguments take the `{{secret:NAME}}` form (the mapping or `--secret` names the scope).
import { nameOnlyReferencePattern } from "./secret-references.ts";

/**
 * Substitutes `{{secret:NAME}}` in arguments. Arguments are readable by every local
 * user through the process list, so each use is announced (`warn`; the CLI's goes to stderr).
 */
export function substituteArgs(args: string[], values: Map<string, string>, command: string, warn: (message: string) => void): string[] {
  const used = new Set<string>();
  const out = args.map((arg) =>
    arg.replace(nameOnlyReferencePattern(), (whole, name: string) => {
      const value = values.get(name);
      if (value === undefined) return whole;
      used.add(name);
      return value;
    }),
  );
  for (const name of used) {
    warn(`warning: ${name} is passed to ${command} as a command-line argument; other local users can read it in the process list`);
  }
  return out;
}

export function unresolvedPlaceholders(args: string[], names: Set<string>): string[] {
  return [...new Set(args.flatMap((a) => [...a.matchAll(nameOnlyReferencePattern())].map((m) => m[1])))].filter((n) => !names.has(n));
}
