import type { z } from "zod";

type Search = Record<string, string | string[] | undefined>;

/** A list page's query from the URL; anything malformed reads as the defaults rather than an error page. */
export function parseListQuery<S extends z.ZodType>(schema: S, search: Search): z.infer<S> {
  const raw = Object.fromEntries(Object.entries(search).filter(([, v]) => typeof v === "string" && v !== ""));
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : schema.parse({});
}
