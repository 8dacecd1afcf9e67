import { z } from "zod";
import { idSchema, scopeSchema, secretNameSchema, textSchema, ttlSecondsSchema } from "./common";

export const MOUNT_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** `{{secret:NAME}}` in a mount's (or `exec`'s) arguments. */
export const SECRET_PLACEHOLDER = /\{\{secret:([A-Z][A-Z0-9_]{0,127})\}\}/g;
// The launcher's own credentials must never be overwritten by (or leak into) a mapping.
const RESERVED_ENV = new Set(["RV_URL", "RV_TOKEN", "RV_BOT_TOKEN", "RV_CONFIG", "PATH", "NODE_OPTIONS", "LD_PRELOAD"]);

export const mountNameSchema = z.string().regex(MOUNT_NAME, "Use lower-case letters, digits and dashes (max 64)");

export const mountMappingSchema = z.strictObject({
  secret: secretNameSchema,
  /** Omitted: the mount's bot's environment. */
  scope: scopeSchema.optional(),
  env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "Use a valid environment variable name")
    .refine((e) => !RESERVED_ENV.has(e), "This environment variable is reserved")
    .nullable()
    .default(null),
});
export type MountMapping = z.infer<typeof mountMappingSchema>;

const mappingsSchema = z.array(mountMappingSchema).min(1, "Map at least one secret").max(32);
const argsSchema = z.array(textSchema().max(4000)).max(100);

/** Mapped secret names referenced by `{{secret:NAME}}` in args. */
export function argSecretNames(args: string[]): Set<string> {
  const names = new Set<string>();
  for (const arg of args) for (const m of arg.matchAll(SECRET_PLACEHOLDER)) names.add(m[1]);
  return names;
}

/** Cross-field rules shared by create and update (update checks the merged mount). */
export function mountRecipeIssues(recipe: { args: string[]; mappings: MountMapping[] }): string[] {
  const issues: string[] = [];
  const names = recipe.mappings.map((m) => m.secret);
  if (new Set(names).size !== names.length) issues.push("Each secret may be mapped once");
  const envs = recipe.mappings.flatMap((m) => (m.env ? [m.env] : []));
  if (new Set(envs).size !== envs.length) issues.push("Each environment variable may be mapped once");
  const inArgs = argSecretNames(recipe.args);
  for (const name of inArgs) if (!names.includes(name)) issues.push(`Argument placeholder {{secret:${name}}} has no mapping`);
  for (const m of recipe.mappings) if (!m.env && !inArgs.has(m.secret)) issues.push(`Secret ${m.secret} goes nowhere: give it an env name or use {{secret:${m.secret}}} in args`);
  return issues;
}

function addRecipeIssues(recipe: { args: string[]; mappings: MountMapping[] }, ctx: z.RefinementCtx) {
  for (const message of mountRecipeIssues(recipe)) ctx.addIssue({ code: "custom", message, path: ["mappings"] });
}

export const createMountSchema = z
  .strictObject({
    name: mountNameSchema,
    botId: idSchema("bot"),
    command: textSchema().min(1).max(1000),
    args: argsSchema.default([]),
    mappings: mappingsSchema,
    justificationTemplate: textSchema().trim().min(1).max(1000),
    ttlSeconds: ttlSecondsSchema.nullable().optional(),
  })
  .superRefine(addRecipeIssues);
export type CreateMountInput = z.infer<typeof createMountSchema>;

/** The bot is fixed for a mount's life: grants limited to it belong to that bot. */
export const updateMountSchema = z
  .strictObject({
    command: textSchema().min(1).max(1000).optional(),
    args: argsSchema.optional(),
    mappings: mappingsSchema.optional(),
    justificationTemplate: textSchema().trim().min(1).max(1000).optional(),
    ttlSeconds: ttlSecondsSchema.nullable().optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), "Nothing to update");
export type UpdateMountInput = z.infer<typeof updateMountSchema>;

export const listMountsQuerySchema = z.strictObject({ botId: idSchema("bot").optional() });

export const mountIdSchema = idSchema("mnt");
