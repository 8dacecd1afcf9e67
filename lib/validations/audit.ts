import { z } from "zod";
import { idSchema, seqSchema } from "./common";

export const listAuditQuerySchema = z.strictObject({
  type: z.string().regex(/^[a-z_]+(\.[a-z_]+)*$/).max(64).optional(),
  botId: idSchema("bot").optional(),
  secretId: idSchema("sec").optional(),
  leaseId: idSchema("lse").optional(),
  outcome: z.enum(["success", "denied", "failure"]).optional(),
  /** Who acted: a user (usr_) or bot (bot_) id. */
  actorId: z.string().regex(/^(usr|bot)_[0-9a-f]{24}$/, "Expected a usr_ or bot_ id").optional(),
  /**
   * Free text searched in justifications (case-insensitive). NUL is refused here, not left
   * to the database: the export streams, and an error after its first row cannot be a 400.
   */
  q: z.string().trim().min(1).max(200).refine((v) => !v.includes("\0"), "q cannot contain NUL characters").optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  cursor: seqSchema("cursor is the seq of the last event you saw").optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListAuditQuery = z.infer<typeof listAuditQuerySchema>;

/** The export takes the same filters as the list, without paging. */
export const exportAuditQuerySchema = listAuditQuerySchema.omit({ cursor: true, limit: true }).extend({
  format: z.enum(["csv", "json"]).default("csv"),
});
export type ExportAuditQuery = z.infer<typeof exportAuditQuerySchema>;
