import { z } from "zod";
import { bulkRevokeSchema } from "./lease";

/** The incident control: a bulk revoke (bot, secret or whole org), optionally freezing the bots involved. */
export const incidentSchema = z.strictObject({
  target: bulkRevokeSchema,
  freezeBots: z.boolean().default(false),
});
export type IncidentInput = z.infer<typeof incidentSchema>;
