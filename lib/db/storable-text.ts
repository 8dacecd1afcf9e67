// What PostgreSQL keeps exactly as sent. Text goes to the database as UTF-8, and a lone
// UTF-16 surrogate has no UTF-8 form: the driver writes U+FFFD in its place. NUL is
// refused outright in text and jsonb. Anything else a JavaScript string can hold is
// stored and read back unchanged. Text that would change must never be hashed (the audit
// chain would no longer verify) or sealed (the value read back would not be the one sent).

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g");

export const UNSTORABLE_TEXT_MESSAGE = "Text must be valid Unicode: no NUL (\\u0000) and no unpaired surrogate (\\ud800-\\udfff) characters";
export const MALFORMED_TEXT_MESSAGE = "Text must be valid Unicode: no unpaired surrogate (\\ud800-\\udfff) characters";

/** Encodes to UTF-8 and back unchanged (NUL included: fine in sealed bytes, not in columns). */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** Stored in a text or jsonb column exactly as given. */
export function isStorableText(text: string): boolean {
  return !text.includes("\u0000") && isWellFormedText(text);
}

/** The text as the database can hold it: every NUL and lone surrogate becomes U+FFFD. */
export function toStorableText(text: string): string {
  return isStorableText(text) ? text : text.replace(LONE_SURROGATES, "\ufffd").replaceAll("\u0000", "\ufffd");
}

/**
 * The JSON value PostgreSQL's jsonb would give back: what JSON.stringify keeps (no
 * undefined, functions or symbols; dates as strings; NaN as null) with every string and
 * key made storable.
 */
export function toStorableJson(value: unknown): unknown {
  const plain: unknown = value === undefined ? null : JSON.parse(JSON.stringify(value) ?? "null");
  const clean = (v: unknown): unknown => {
    if (typeof v === "string") return toStorableText(v);
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [toStorableText(k), clean(x)]));
    return v;
  };
  return clean(plain);
}
