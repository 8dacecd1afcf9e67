import { z } from "zod";
import { idSchema, ttlSecondsSchema } from "./common";
import { tagSchema } from "./secret";

export const DEFAULT_POLICY = {
  maxTtlSeconds: 3600,
  defaultTtlSeconds: 900,
  requireJustification: true,
  minJustificationLength: 10,
  singleUseByDefault: false,
} as const;

export const updatePolicySchema = z
  .strictObject({
    maxTtlSeconds: ttlSecondsSchema.optional(),
    defaultTtlSeconds: ttlSecondsSchema.optional(),
    requireJustification: z.boolean().optional(),
    minJustificationLength: z.number().int().min(0).max(1000).optional(),
    singleUseByDefault: z.boolean().optional(),
    rotationPeriodDays: z.number().int().min(1, "At least one day").max(3650).optional(),
    /** Leases of these secrets wait for a human approval. */
    approvalSecretIds: z.array(idSchema("sec")).max(200).optional(),
    /** Leases of secrets carrying any of these tags wait for a human approval. */
    approvalTags: z.array(tagSchema).max(32).optional(),
    // Zero would let an approval rule approve itself: at least one human decides.
    approvalsRequired: z.number().int().min(1, "At least one approval is required").max(5).optional(),
  })
  .refine((p) => Object.keys(p).length > 0, "Nothing to update");
export type UpdatePolicyInput = z.infer<typeof updatePolicySchema>;
