import { z } from "zod";
import { idSchema, MAX_VALUE_BYTES, scopeSchema, sealedTextSchema, secretNameSchema, textSchema } from "./common";
import { pagingSchema } from "./paging";

export const secretValueSchema = sealedTextSchema()
  .min(1, "Value must not be empty")
  .refine((v) => Buffer.byteLength(v, "utf8") <= MAX_VALUE_BYTES, "Value must be at most 64 KiB");

export const tagSchema = z.string().regex(/^[a-z0-9][a-z0-9:._-]{0,63}$/, "Tags are lower-case words");
const tagsSchema = z.array(tagSchema).max(32);

export const createSecretSchema = z.strictObject({
  name: secretNameSchema,
  scope: scopeSchema.default("default"),
  description: textSchema().max(1000).default(""),
  tags: tagsSchema.default([]),
  value: secretValueSchema,
});
export type CreateSecretInput = z.infer<typeof createSecretSchema>;

/** PUT: a new value rotates; description and tags update metadata. */
export const updateSecretSchema = z
  .strictObject({
    value: secretValueSchema.optional(),
    description: textSchema().max(1000).optional(),
    tags: tagsSchema.optional(),
  })
  .refine((v) => v.value !== undefined || v.description !== undefined || v.tags !== undefined, "Nothing to update");
export type UpdateSecretInput = z.infer<typeof updateSecretSchema>;

/**
 * The web form's delete: the person types the secret's name. Whether it matches is
 * decided by deleteSecret against the row itself, in the transaction that deletes it.
 */
export const deleteSecretFormSchema = z.strictObject({
  id: idSchema("sec"),
  confirm: textSchema({ error: "Type the secret's name to confirm" }).min(1, "Type the secret's name to confirm"),
});

/** The leaked-secret form: the new value (write-only) and why its leases are revoked. */
export const rotateAndRevokeFormSchema = z.strictObject({
  id: idSchema("sec"),
  value: secretValueSchema,
  reason: textSchema().trim().min(3, "Give a reason (at least 3 characters)").max(500),
});

export const listSecretsQuerySchema = z.strictObject({
  scope: scopeSchema.optional(),
  name: secretNameSchema.optional(),
});

export const SECRET_SORTS = ["name", "scope", "currentVersion", "rotatedAt", "createdAt"] as const;
/** The catalogue page: search by name, keyset paging and sorting. */
export const secretPageQuerySchema = pagingSchema(SECRET_SORTS, { sort: "name", direction: "asc" });
export type SecretPageQuery = z.infer<typeof secretPageQuerySchema>;
