import { z } from "zod";
import { idSchema, scopeSchema, secretNameSchema, textSchema, ttlSecondsSchema } from "./common";
import { pagingSchema } from "./paging";

export const requestLeaseSchema = z.strictObject({
  secret: secretNameSchema,
  /** Omitted: the bot's environment (its default scope, "default" unless set). */
  scope: scopeSchema.optional(),
  justification: textSchema().max(2000).default(""),
  ttlSeconds: ttlSecondsSchema.optional(),
  singleUse: z.boolean().optional(),
  /** Name of the mount launching the work; grants limited to a mount require it. */
  mount: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/).optional(),
  /** The MCP tool call the lease is for (set by `runtime-vault mcp run`): shown in the audit trail. */
  tool: textSchema().trim().min(1).max(128).optional(),
});
export type RequestLeaseInput = z.infer<typeof requestLeaseSchema>;

export const leaseIdSchema = idSchema("lse");

export const LEASE_STATUSES = ["pending", "active", "expired", "denied", "revoked", "released", "used"] as const;

export const listLeasesQuerySchema = z.strictObject({
  status: z.enum(LEASE_STATUSES).optional(),
  botId: idSchema("bot").optional(),
  secretId: idSchema("sec").optional(),
  scope: scopeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const reason = textSchema().trim().min(3, "Give a reason (at least 3 characters)").max(500);

export const revokeLeaseSchema = z.strictObject({ reason: reason.optional() });

export const bulkRevokeSchema = z.union([
  z.strictObject({ botId: idSchema("bot"), reason }),
  z.strictObject({ secretId: idSchema("sec"), reason }),
  z.strictObject({ all: z.literal(true), reason }),
]);
export type BulkRevokeInput = z.infer<typeof bulkRevokeSchema>;

/** The admin leases page: the filters above plus keyset paging and sorting. */
export const LEASE_SORTS = ["createdAt", "expiresAt", "status", "botName", "secretName", "scope", "resolveCount"] as const;
export const leasePageQuerySchema = listLeasesQuerySchema.omit({ limit: true }).extend(pagingSchema(LEASE_SORTS, { sort: "createdAt", direction: "desc" }).shape);
export type LeasePageQuery = z.infer<typeof leasePageQuerySchema>;
