// `{{secret:NAME}}` and `{{secret:NAME@scope}}`: how a value is named without being
// written out, in a mount's arguments and headers and in an agent's tool-call
// arguments. One syntax, parsed here: the launcher substitutes the value at the last
// moment and masks it on the way back.

/** Secret names and scopes as the server accepts them (lib/validations/common.ts). */
const NAME = "[A-Z][A-Z0-9_]{0,127}";
const SCOPE = "[a-z][a-z0-9-]{0,63}";

export interface SecretReference {
  name: string;
  /** Omitted: the bot's environment decides (or, in a mount, the mapping's scope). */
  scope?: string;
}

/** A fresh global regex (they carry state): group 1 the name, group 2 the scope if any. */
export const referencePattern = () => new RegExp(`\\{\\{secret:(${NAME})(?:@(${SCOPE}))?\\}\\}`, "g");
/** Only the `{{secret:NAME}}` form (a mount's arguments, where the mapping names the scope). */
export const nameOnlyReferencePattern = () => new RegExp(`\\{\\{secret:(${NAME})\\}\\}`, "g");

export function formatReference(name: string, scope?: string): string {
  return scope ? `{{secret:${name}@${scope}}}` : `{{secret:${name}}}`;
}

/** The reference's identity: equal keys lease the same thing. */
export const referenceKey = (ref: SecretReference) => formatReference(ref.name, ref.scope);

/** The reference when `text` is exactly one, else null. */
export function parseReference(text: string): SecretReference | null {
  const m = new RegExp(`^\\{\\{secret:(${NAME})(?:@(${SCOPE}))?\\}\\}$`).exec(text);
  return m ? (m[2] ? { name: m[1], scope: m[2] } : { name: m[1] }) : null;
}

/** Every reference in the strings of a JSON value (nested objects and arrays; not in keys), each once, in order. */
export function findReferences(value: unknown): SecretReference[] {
  const found = new Map<string, SecretReference>();
  walkStrings(value, (s) => {
    for (const m of s.matchAll(referencePattern())) {
      const ref = m[2] ? { name: m[1], scope: m[2] } : { name: m[1] };
      if (!found.has(referenceKey(ref))) found.set(referenceKey(ref), ref);
    }
  });
  return [...found.values()];
}

/**
 * A copy of a JSON value with every reference whose key is in `values` replaced by its
 * value (also inside longer strings); others stay as written. Keys are left alone.
 */
export function substituteReferences<T>(value: T, values: ReadonlyMap<string, string>): T {
  const replace = (s: string) => s.replace(referencePattern(), (whole, name: string, scope?: string) => values.get(formatReference(name, scope)) ?? whole);
  return mapStrings(value, replace) as T;
}

function walkStrings(value: unknown, visit: (s: string) => void) {
  if (typeof value === "string") visit(value);
  else if (Array.isArray(value)) value.forEach((v) => walkStrings(v, visit));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => walkStrings(v, visit));
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === "string") return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, fn);
    return out;
  }
  return value;
}
