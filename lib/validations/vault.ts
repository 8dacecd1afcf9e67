import { z } from "zod";
import { scopeSchema, secretNameSchema, textSchema } from "./common";
import { mountNameSchema } from "./mount";

// The agent-facing vault API (/api/vault): what a bot may use, and vault.read.
export const vaultListQuerySchema = z.strictObject({
  /** Also list the grants limited to this mount of the bot's. */
  mount: mountNameSchema.optional(),
});

export const vaultReadSchema = z.strictObject({
  secret: secretNameSchema,
  /** Omitted: the bot's environment. */
  scope: scopeSchema.optional(),
  /** The mount the agent works through; grants limited to a mount require it. */
  mount: mountNameSchema.optional(),
  justification: textSchema().max(2000).default(""),
});
export type VaultReadInput = z.infer<typeof vaultReadSchema>;
