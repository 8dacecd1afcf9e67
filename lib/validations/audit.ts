import { z } from "zod";
import { idSchema, textSchema } from "./common";

/**
 * Where the next timeline page starts: the last event of the previous page.
 * Clients treat the cursor as opaque (pass `nextCursor` back as `cursor`, with the
 * same filters). It has one shape per ordering of the timeline:
 *   "<seq>"               newest first by seq (no `from`/`to`)
 *   "t<createdAtMs>.<seq>" newest first by (createdAt, seq), when `from` or `to` is given
 */
export interface AuditCursor {
  seq: bigint;
  /** Set exactly for pages ordered by time. */
  createdAt: Date | null;
}

const SEQ_CURSOR = /^(\d{1,19})$/;
const TIME_CURSOR = /^t(\d{1,15})\.(\d{1,19})$/;
const MAX_SEQ = 2n ** 63n - 1n; // PostgreSQL bigint
const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The cursor's position, or null when the text is not a cursor this API hands out. */
export function parseAuditCursor(text: string): AuditCursor | null {
  const bySeq = SEQ_CURSOR.exec(text);
  const byTime = TIME_CURSOR.exec(text);
  const digits = bySeq?.[1] ?? byTime?.[2];
  if (digits === undefined) return null;
  const seq = BigInt(digits);
  if (seq > MAX_SEQ) return null;
  if (!byTime) return { seq, createdAt: null };
  const ms = Number(byTime[1]);
  return ms <= MAX_TIME_MS ? { seq, createdAt: new Date(ms) } : null;
}

export function formatAuditCursor({ seq, createdAt }: AuditCursor): string {
  return createdAt ? `t${createdAt.getTime()}.${seq}` : String(seq);
}

/** With a time range the timeline is ordered by (createdAt, seq), otherwise by seq. */
export function isTimeOrdered(q: { from?: string; to?: string }): boolean {
  return Boolean(q.from || q.to);
}

export const AUDIT_CURSOR_MISMATCH = "cursor belongs to other filters: pass nextCursor back with the filters it came with";

const auditFilters = {
  type: z.string().regex(/^[a-z_]+(\.[a-z_]+)*$/).max(64).optional(),
  botId: idSchema("bot").optional(),
  secretId: idSchema("sec").optional(),
  leaseId: idSchema("lse").optional(),
  outcome: z.enum(["success", "denied", "failure"]).optional(),
  /** Who acted: a user (usr_) or bot (bot_) id. */
  actorId: z.string().regex(/^(usr|bot)_[0-9a-f]{24}$/, "Expected a usr_ or bot_ id").optional(),
  /**
   * Free text searched in justifications (case-insensitive, `%` and `_` literal). NUL is
   * refused here, not left to the database: the export streams, and an error after its
   * first row cannot be a 400.
   */
  q: textSchema().trim().min(1).max(200).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
};

export const listAuditQuerySchema = z
  .strictObject({
    ...auditFilters,
    cursor: z
      .string()
      .refine((c) => parseAuditCursor(c) !== null, "cursor is not one this API returned: pass nextCursor back unchanged")
      .optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .superRefine((q, ctx) => {
    const cursor = q.cursor ? parseAuditCursor(q.cursor) : null;
    if (cursor && (cursor.createdAt !== null) !== isTimeOrdered(q)) ctx.addIssue({ code: "custom", path: ["cursor"], message: AUDIT_CURSOR_MISMATCH });
  });
export type ListAuditQuery = z.infer<typeof listAuditQuerySchema>;

/**
 * The export takes the same filters as the list, without paging. `jsonl` is the chain
 * export for offline verification: the whole chain, so it takes no filters.
 */
export const exportAuditQuerySchema = z
  .strictObject({
    ...auditFilters,
    format: z.enum(["csv", "json", "jsonl"]).default("csv"),
  })
  .superRefine((q, ctx) => {
    if (q.format !== "jsonl") return;
    for (const key of Object.keys(auditFilters) as (keyof typeof auditFilters)[]) {
      if (q[key] !== undefined) {
        ctx.addIssue({ code: "custom", path: [key], message: "format=jsonl exports the whole chain for offline verification: filters do not apply" });
      }
    }
  });
export type ExportAuditQuery = z.infer<typeof exportAuditQuerySchema>;

/** GET /api/v1/audit/verify: `full=true` walks the whole chain instead of from the last signed checkpoint. */
export const verifyQuerySchema = z.strictObject({ full: z.enum(["true", "false"]).optional() });
