import { z } from "zod";
import { ttlSecondsSchema } from "./common";

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
  })
  .refine((p) => Object.keys(p).length > 0, "Nothing to update");
export type UpdatePolicyInput = z.infer<typeof updatePolicySchema>;
