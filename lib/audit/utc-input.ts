// Times typed into filters, in the tables' own format: "YYYY-MM-DD HH:MM" (24-hour, UTC).
// A "T" for the space, seconds, a trailing "UTC"/"Z", a date alone and a full ISO instant
// are accepted too. A `datetime-local` input would show the browser's locale instead.

const PATTERN = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2}(?:\.\d{1,3})?)?)?\s*(?:UTC|Z)?$/i;

/** The ISO instant the text means (UTC), or null when it is not such a time. */
export function parseUtcInput(text: string): string | null {
  const m = PATTERN.exec(text.trim());
  if (!m) return null;
  const iso = `${m[1]}T${m[2] ?? "00:00"}${m[3] ?? ":00"}Z`;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** An instant as the inputs show it: "YYYY-MM-DD HH:MM". */
export function formatUtcInput(value: Date | string | null | undefined): string {
  if (!value) return "";
  const d = typeof value === "string" ? new Date(value) : value;
  return Number.isNaN(d.getTime()) ? "" : d.toISOString().slice(0, 16).replace("T", " ");
}
