/** `15m`, `90s`, `2h`, `1d` or plain seconds, in seconds; null when it is none of those. */
export function parseDurationSeconds(text: string): number | null {
  const m = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? "s") as "s" | "m" | "h" | "d"];
  return n >= 1 ? n : null;
}
