import { z } from "zod";

export const createBotSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "Use lower-case letters, digits and dashes (max 64)"),
  description: z.string().max(1000).default(""),
});
export type CreateBotInput = z.infer<typeof createBotSchema>;

export const freezeBotSchema = z.strictObject({ reason: z.string().max(500).optional() });
