import { z } from "zod";
import { idSchema } from "./common";

/** Every token made through the API or the web app expires: 90 days unless asked, a year at most. */
export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 365;

export const apiTokenIdSchema = idSchema("tok");

export const createApiTokenSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, "Name the token (what uses it)")
    .max(100)
    // Names show up in tables and the audit trail: one printable line.
    .regex(/^[^\p{Cc}\p{Cf}]*$/u, "Use printable characters only"),
  expiresInDays: z
    .number()
    .int("Whole days")
    .min(1, "At least 1 day")
    .max(MAX_TOKEN_DAYS, `At most ${MAX_TOKEN_DAYS} days`)
    .default(DEFAULT_TOKEN_DAYS),
});
export type CreateApiTokenInput = z.infer<typeof createApiTokenSchema>;

export const listApiTokensQuerySchema = z.strictObject({
  all: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
});
