import { z } from "zod";
import { idSchema, scopeSchema, textSchema } from "./common";
import { pagingSchema } from "./paging";

export const createBotSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "Use lower-case letters, digits and dashes (max 64)"),
  description: textSchema().max(1000).default(""),
  /** The scope the bot's lease requests use when they name none (production, test, …). */
  environment: scopeSchema.default("default"),
});
export type CreateBotInput = z.infer<typeof createBotSchema>;

export const updateBotSchema = z
  .strictObject({
    description: textSchema().max(1000).optional(),
    environment: scopeSchema.optional(),
  })
  .refine((v) => v.description !== undefined || v.environment !== undefined, "Give description or environment");
export type UpdateBotInput = z.infer<typeof updateBotSchema>;

/** The web form's delete: the typed name is checked against the row by deleteBot. */
export const deleteBotFormSchema = z.strictObject({
  id: idSchema("bot"),
  confirm: textSchema({ error: "Type the bot's name to confirm" }).min(1, "Type the bot's name to confirm"),
});

export const freezeBotSchema = z.strictObject({ reason: textSchema().max(500).optional() });

export const BOT_SORTS = ["name", "environment", "createdAt"] as const;
/** The bots page: search by name, keyset paging and sorting. */
export const botPageQuerySchema = pagingSchema(BOT_SORTS, { sort: "name", direction: "asc" });
export type BotPageQuery = z.infer<typeof botPageQuerySchema>;
