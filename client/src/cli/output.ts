// Human-readable tables by default, JSON with --json (one document; NDJSON for streams).

export function printJson(value: unknown) {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}

export function printTable(items: object[], columns: string[]) {
  if (items.length === 0) return;
  const rows = items as Array<Record<string, unknown>>;
  const cell = (v: unknown) => (v === null || v === undefined ? "-" : v instanceof Date ? v.toISOString() : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]))).join("  ");
  process.stdout.write(line(columns.map((c) => c.toUpperCase())) + "\n");
  for (const r of rows) process.stdout.write(line(columns.map((c) => cell(r[c]))) + "\n");
}

export function info(message: string) {
  process.stderr.write(`runtime-vault: ${message}\n`);
}
