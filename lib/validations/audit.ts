import { z } from "zod";
import { idSchema } from "./common";

export const listAuditQuerySchema = z.strictObject({
  type: z.string().regex(/^[a-z_]+(\.[a-z_]+)*$/).max(64).optional(),
  botId: idSchema("bot").optional(),
  secretId: idSchema("sec").optional(),
  leaseId: idSchema("lse").optional(),
  outcome: z.enum(["success", "denied", "failure"]).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().regex(/^\d{1,19}$/, "cursor is the seq of the last event you saw").optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListAuditQuery = z.infer<typeof listAuditQuerySchema>;
