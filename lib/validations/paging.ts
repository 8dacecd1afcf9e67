import { z } from "zod";
import type { SortDirection } from "@/lib/paging/keyset";

/** The paging part of a list's query string: `sort` limited to the list's sortable columns. */
export function pagingSchema<S extends string>(sorts: readonly [S, ...S[]], defaults: { sort: S; direction: SortDirection }) {
  return z.object({
    cursor: z.string().max(1000).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    sort: z.enum(sorts).default(defaults.sort),
    direction: z.enum(["asc", "desc"]).default(defaults.direction),
    q: z.string().trim().max(200).optional().transform((v) => v || undefined),
  });
}
