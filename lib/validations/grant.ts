import { z } from "zod";
import { idSchema, ttlSecondsSchema } from "./common";

export const createGrantSchema = z.strictObject({
  botId: idSchema("bot"),
  secretId: idSchema("sec"),
  maxTtlSeconds: ttlSecondsSchema.nullable().optional(),
  singleUseOnly: z.boolean().default(false),
  /** Limit the grant to leases requested through this mount (which must be the same bot's). */
  mountId: idSchema("mnt").nullable().optional(),
  /** vault.read hands the agent the plaintext itself (it then sits in the agent's conversation). */
  revealToAgent: z.boolean().default(false),
});
export type CreateGrantInput = z.infer<typeof createGrantSchema>;

export const listGrantsQuerySchema = z.strictObject({
  botId: idSchema("bot").optional(),
  secretId: idSchema("sec").optional(),
});

export const deleteGrantSchema = z.strictObject({ id: idSchema("grt") });

export const updateGrantSchema = z.strictObject({
  revealToAgent: z.boolean(),
});
export type UpdateGrantInput = z.infer<typeof updateGrantSchema>;
