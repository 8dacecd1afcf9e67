import { z } from "zod";
import { idSchema, scopeSchema, secretNameSchema, textSchema, ttlSecondsSchema } from "./common";

export const MOUNT_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** `{{secret:NAME}}` in a mount's (or `exec`'s) arguments. */
export const SECRET_PLACEHOLDER = /\{\{secret:([A-Z][A-Z0-9_]{0,127})\}\}/g;
// The launcher's own credentials must never be overwritten by (or leak into) a mapping.
const RESERVED_ENV = new Set(["RV_URL", "RV_TOKEN", "RV_BOT_TOKEN", "RV_CONFIG", "PATH", "NODE_OPTIONS", "LD_PRELOAD"]);

export const mountNameSchema = z.string().regex(MOUNT_NAME, "Use lower-case letters, digits and dashes (max 64)");

/** MCP tool names (the spec's characters; 128 at most). */
export const toolNameSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, "Use a tool name (letters, digits, _ . -; max 128)");

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
  /**
   * Omitted: any tool call may receive the secret through {{secret:NAME}}. Listed: only
   * these tools (of this mount's server) may; other calls are refused by the vault.
   */
  tools: z.array(toolNameSchema).min(1, "List at least one tool, or leave tools out").max(64).optional(),
});
export type MountMapping = z.infer<typeof mountMappingSchema>;

const mappingsSchema = z.array(mountMappingSchema).min(1, "Map at least one secret").max(32);
const argsSchema = z.array(textSchema().max(4000)).max(100);

// Loopback may speak plain HTTP (a local server or tunnel); anything else must be
// HTTPS, or the header with the leased token would cross the network in clear.
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);
export const mountUrlSchema = textSchema()
  .max(2000)
  .refine((u) => {
    try {
      const url = new URL(u);
      return !url.username && !url.password && (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)));
    } catch {
      return false;
    }
  }, "Use an https:// URL (http:// only for 127.0.0.1, localhost or [::1]), without credentials in it");

// Headers the bridge sets itself (transport and session) may not be mapped.
const RESERVED_HEADERS = new Set(["host", "content-length", "content-type", "accept", "connection", "transfer-encoding", "mcp-session-id", "mcp-protocol-version", "last-event-id"]);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
/** Headers that carry credentials: their values must come from the vault. */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie)$|token|key|secret|auth|password|session/i;
/** Header name → value template, e.g. {"Authorization": "Bearer {{secret:GITHUB_TOKEN}}"}. */
const headersSchema = z
  .record(z.string(), textSchema().max(4000).refine((v) => !/[\r\n]/.test(v), "Header values are one line"))
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > 32) ctx.addIssue({ code: "custom", message: "At most 32 headers", path: [] });
    for (const name of names) {
      if (!HEADER_NAME.test(name)) ctx.addIssue({ code: "custom", message: "Use a valid HTTP header name", path: [name] });
      else if (RESERVED_HEADERS.has(name.toLowerCase())) ctx.addIssue({ code: "custom", message: "This header is set by the bridge", path: [name] });
      else if (CREDENTIAL_HEADER.test(name) && !argSecretNames([headers[name]]).size) {
        // A literal credential would sit unencrypted in the recipe, shown to every member and bot.
        ctx.addIssue({ code: "custom", message: `${name} carries a credential: use a {{secret:NAME}} reference, never the value`, path: [name] });
      }
    }
  });

/** Mapped secret names referenced by `{{secret:NAME}}` in args (or header values). */
export function argSecretNames(args: string[]): Set<string> {
  const names = new Set<string>();
  for (const arg of args) for (const m of arg.matchAll(SECRET_PLACEHOLDER)) names.add(m[1]);
  return names;
}

export interface MountRecipe {
  command: string | null;
  url: string | null;
  args: string[];
  headers: Record<string, string>;
  mappings: MountMapping[];
}

/** Cross-field rules shared by create and update (update checks the merged mount). */
export function mountRecipeIssues(recipe: MountRecipe): string[] {
  const issues: string[] = [];
  if (!recipe.command === !recipe.url) issues.push("Give either a command (a local server) or a url (a remote server), not both");
  if (recipe.url && recipe.args.length > 0) issues.push("A remote (url) mount takes no arguments");
  if (recipe.command && Object.keys(recipe.headers).length > 0) issues.push("Headers are for remote (url) mounts");
  const names = recipe.mappings.map((m) => m.secret);
  if (new Set(names).size !== names.length) issues.push("Each secret may be mapped once");
  const envs = recipe.mappings.flatMap((m) => (m.env ? [m.env] : []));
  if (new Set(envs).size !== envs.length) issues.push("Each environment variable may be mapped once");
  if (recipe.url && envs.length > 0) issues.push("A remote (url) mount has no environment: put secrets in headers");
  const inArgs = argSecretNames(recipe.args);
  const inHeaders = argSecretNames(Object.values(recipe.headers));
  for (const name of inArgs) if (!names.includes(name)) issues.push(`Argument placeholder {{secret:${name}}} has no mapping`);
  for (const name of inHeaders) if (!names.includes(name)) issues.push(`Header placeholder {{secret:${name}}} has no mapping`);
  for (const m of recipe.mappings) {
    const launched = !!m.env || inArgs.has(m.secret) || inHeaders.has(m.secret);
    // A launched value is in the server already, so a tool list would promise a limit
    // that does not hold (and would refuse the launch leases' per-call renewals).
    if (launched && m.tools) issues.push(`Secret ${m.secret} is given to the server at launch, so every tool can use it: a tool list only limits tool-call references`);
    if (!launched && !m.tools) {
      issues.push(`Secret ${m.secret} goes nowhere: give it an env name, use {{secret:${m.secret}}} in args or headers, or list the tools that may receive it`);
    }
  }
  return issues;
}

function addRecipeIssues(recipe: { command?: string | null; url?: string | null; args: string[]; headers?: Record<string, string>; mappings: MountMapping[] }, ctx: z.RefinementCtx) {
  const full = { command: recipe.command ?? null, url: recipe.url ?? null, args: recipe.args, headers: recipe.headers ?? {}, mappings: recipe.mappings };
  for (const message of mountRecipeIssues(full)) ctx.addIssue({ code: "custom", message, path: ["mappings"] });
}


export const createMountSchema = z
  .strictObject({
    name: mountNameSchema,
    botId: idSchema("bot"),
    /** A local stdio server … */
    command: textSchema().min(1).max(1000).nullable().optional(),
    /** … or a remote Streamable HTTP one: exactly one of the two. */
    url: mountUrlSchema.nullable().optional(),
    args: argsSchema.default([]),
    headers: headersSchema.default({}),
    mappings: mappingsSchema,
    justificationTemplate: textSchema().trim().min(1).max(1000),
    ttlSeconds: ttlSecondsSchema.nullable().optional(),
  })
  .superRefine(addRecipeIssues);
export type CreateMountInput = z.infer<typeof createMountSchema>;

/** The bot is fixed for a mount's life: grants limited to it belong to that bot. */
export const updateMountSchema = z
  .strictObject({
    command: textSchema().min(1).max(1000).nullable().optional(),
    url: mountUrlSchema.nullable().optional(),
    args: argsSchema.optional(),
    headers: headersSchema.optional(),
    mappings: mappingsSchema.optional(),
    justificationTemplate: textSchema().trim().min(1).max(1000).optional(),
    ttlSeconds: ttlSecondsSchema.nullable().optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), "Nothing to update");
export type UpdateMountInput = z.infer<typeof updateMountSchema>;

export const listMountsQuerySchema = z.strictObject({ botId: idSchema("bot").optional() });

export const mountIdSchema = idSchema("mnt");
