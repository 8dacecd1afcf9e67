// The reference vault API's request bodies (/v1/vault, the compatibility API): its field
// names, our rules for what they hold.
import { z } from "zod";
import { scopeSchema, secretNameSchema } from "./common";
import { secretValueSchema } from "./secret";

export const compatCreateSecretSchema = z.strictObject({
  name: secretNameSchema,
  value: secretValueSchema,
  scope: scopeSchema.optional(),
});

/** agent_id: a bot's id (bot_…) or its name. */
export const compatCreateGrantSchema = z.strictObject({
  agent_id: z.string().min(1).max(64),
  secret_id: z.string().min(1).max(64),
});
