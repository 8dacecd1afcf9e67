// The SQLSTATE behind a database error, however it reached us: pg's own error (`code`),
// a Prisma raw query (P2010, `meta.code`), or a Prisma model query through the driver
// adapter (`meta.driverAdapterError.cause.originalCode`).
type Wrapped = { code?: unknown; meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown } } } };

export function sqlState(err: unknown): string | undefined {
  const e = err as Wrapped | null;
  const code = e?.meta?.driverAdapterError?.cause?.originalCode ?? e?.meta?.code ?? e?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * PostgreSQL rolled the transaction back as a deadlock victim (40P01) or for a
 * serialization failure (40001; Prisma's P2034): running it again is safe.
 */
export function isRetryableConflict(err: unknown): boolean {
  if ((err as Wrapped | null)?.code === "P2034") return true;
  const state = sqlState(err);
  return state === "40P01" || state === "40001";
}
