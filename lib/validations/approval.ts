import { z } from "zod";
import { textSchema } from "./common";

export const decideLeaseSchema = z.strictObject({
  reason: textSchema().trim().max(500).optional(),
});
export type DecideLeaseInput = z.infer<typeof decideLeaseSchema>;

/** Denying needs a reason: the bot's operator reads it in the audit trail. */
export const denyLeaseSchema = z.strictObject({
  reason: textSchema().trim().min(3, "Give a reason (at least 3 characters)").max(500),
});
