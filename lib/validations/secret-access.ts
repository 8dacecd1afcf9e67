import { z } from "zod";
import { parseUtcInput } from "@/lib/audit/utc-input";

const DAY_MS = 86_400_000;
export const DEFAULT_ACCESS_DAYS = 7;

const utcTime = z
  .string()
  .transform((v, ctx) => {
    const iso = parseUtcInput(v);
    if (!iso) ctx.addIssue({ code: "custom", message: "Expected a UTC time such as 2026-11-28 14:05 (or an ISO instant)" });
    return iso ?? v;
  });

/**
 * The period of a secret's Access view: `days` back from now (7 unless said), or from/to.
 * `to` alone ends the default span there; `from` alone runs to now.
 */
export const secretAccessQuerySchema = z.strictObject({
  days: z.coerce.number().int().min(1).max(366).optional(),
  from: utcTime.optional(),
  to: utcTime.optional(),
  format: z.enum(["csv", "json"]).default("json"),
});
export type SecretAccessQuery = z.infer<typeof secretAccessQuerySchema>;

export function accessPeriod(q: Pick<SecretAccessQuery, "days" | "from" | "to">, now = new Date()): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - (q.days ?? DEFAULT_ACCESS_DAYS) * DAY_MS);
  return { from, to };
}
