// runtime-vault mount create|list|show|delete|config
import { parse, parseDuration } from "../args.ts";
import { context } from "../context.ts";
import { UsageError } from "../errors.ts";
import { info, printJson, printTable } from "../output.ts";
import { NotFound } from "../../sdk/errors.ts";
import type { AdminClient } from "../../sdk/admin-client.ts";
import { mcpClientConfig } from "../../sdk/mcp-client-config.ts";
import { configLauncher } from "../launcher.ts";

const MOUNT_ID = /^mnt_[0-9a-f]{24}$/;

export async function mountIdOf(admin: AdminClient, nameOrId: string): Promise<string> {
  if (MOUNT_ID.test(nameOrId)) return nameOrId;
  const mount = (await admin.mounts.list()).find((m) => m.name === nameOrId);
  if (!mount) throw new NotFound(`Mount ${nameOrId} not found`, "not_found", 404);
  return mount.id;
}

/**
 * `--map SECRET[@scope][=ENV][:tool,…]`: no `=ENV` means the secret is used only as
 * {{secret:SECRET}} in args, headers or tool calls; `:tools` limits which tool calls may reference it.
 */
export function parseMapping(text: string) {
  const m = /^([A-Z][A-Z0-9_]*)(?:@([a-z][a-z0-9-]*))?(?:=([A-Za-z_][A-Za-z0-9_]*))?(?::([A-Za-z0-9_.,-]+))?$/.exec(text);
  if (!m) throw new UsageError(`Invalid --map ${text} (use SECRET[@scope][=ENV_NAME][:tool,…])`);
  return { secret: m[1], ...(m[2] ? { scope: m[2] } : {}), env: m[3] ?? null, ...(m[4] ? { tools: m[4].split(",").filter(Boolean) } : {}) };
}

/** `--header "Authorization: Bearer {{secret:TOKEN}}"`. */
export function parseHeaders(texts: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const text of texts) {
    const colon = text.indexOf(":");
    if (colon <= 0) throw new UsageError(`Invalid --header ${text} (use "Name: value")`);
    headers[text.slice(0, colon).trim()] = text.slice(colon + 1).trim();
  }
  return headers;
}

export async function mountCommand([sub, ...argv]: string[]): Promise<number> {
  switch (sub) {
    case "create": {
      const { values, positionals } = parse(
        argv,
        { bot: { type: "string" }, command: { type: "string" }, url: { type: "string" }, header: { type: "string", multiple: true }, arg: { type: "string", multiple: true }, map: { type: "string", multiple: true }, justification: { type: "string" }, ttl: { type: "string" } },
        { min: 1, max: 1 },
      );
      if (!values.bot || !values.command === !values.url || !values.map?.length || !values.justification) {
        throw new UsageError("mount create NAME needs --bot, --command or --url (one of them), --map (one or more) and --justification");
      }
      const ctx = context(values);
      const admin = ctx.admin();
      const mount = await admin.mounts.create({
        name: positionals[0],
        botId: await admin.bots.idOf(values.bot),
        ...(values.url ? { url: values.url, headers: parseHeaders(values.header ?? []) } : { command: values.command }),
        args: values.arg ?? [],
        mappings: values.map.map(parseMapping),
        justificationTemplate: values.justification,
        ttlSeconds: values.ttl ? parseDuration(values.ttl) : null,
      });
      if (ctx.json) printJson(mount);
      else info(`created mount ${mount.name} (${mount.id})`);
      return 0;
    }
    case "list": {
      const { values } = parse(argv, {}, { max: 0 });
      const ctx = context(values);
      const mounts = await ctx.admin().mounts.list();
      if (ctx.json) printJson(mounts);
      else printTable(mounts.map((m) => ({ ...m, bot: m.bot.name, server: m.url ?? m.command, secrets: m.mappings.map((x) => x.secret).join(",") })), ["name", "id", "bot", "server", "secrets"]);
      return 0;
    }
    case "show": {
      const { values, positionals } = parse(argv, {}, { min: 1, max: 1 });
      const ctx = context(values);
      const admin = ctx.admin();
      printJson(await admin.mounts.get(await mountIdOf(admin, positionals[0])));
      return 0;
    }
    case "delete": {
      const { values, positionals } = parse(argv, {}, { min: 1, max: 1 });
      const ctx = context(values);
      const admin = ctx.admin();
      const result = await admin.mounts.delete(await mountIdOf(admin, positionals[0]));
      if (ctx.json) printJson(result);
      else info(`deleted mount ${positionals[0]}; ${result.grantsRemoved} grant(s) limited to it removed`);
      return 0;
    }
    case "config": {
      const { values, positionals } = parse(argv, { npx: { type: "boolean" }, package: { type: "string" } }, { min: 1, max: 1 });
      const ctx = context(values);
      const admin = ctx.admin();
      const mount = await admin.mounts.get(await mountIdOf(admin, positionals[0]));
      const { json } = mcpClientConfig({ mount, vaultUrl: admin.http.baseUrl, launcher: configLauncher({ npx: values.npx, pkg: values.package }) });
      process.stdout.write(json + "\n");
      return 0;
    }
    default:
      throw new UsageError(sub ? `Unknown command: mount ${sub}` : "mount needs a subcommand: create, list, show, delete, config");
  }
}
