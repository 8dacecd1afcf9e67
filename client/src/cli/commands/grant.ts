// runtime-vault grant add|list|set|remove
import { parse, parseDuration } from "../args.ts";
import { context } from "../context.ts";
import { UsageError } from "../errors.ts";
import { info, printJson, printTable } from "../output.ts";
import { mountIdOf } from "./mount.ts";

const REVEAL_WARNING = "warning: vault_read now hands this secret's plaintext to the agent; it stays in the agent's conversation (and whatever logs it)";

export async function grantCommand([sub, ...argv]: string[]): Promise<number> {
  switch (sub) {
    case "add": {
      const { values } = parse(
        argv,
        { bot: { type: "string" }, secret: { type: "string" }, scope: { type: "string", short: "s" }, "max-ttl": { type: "string" }, "single-use": { type: "boolean" }, mount: { type: "string" }, "reveal-to-agent": { type: "boolean" } },
        { max: 0 },
      );
      if (!values.bot || !values.secret) throw new UsageError("grant add needs --bot and --secret");
      const ctx = context(values);
      const admin = ctx.admin();
      const [botId, secretId, mountId] = await Promise.all([
        admin.bots.idOf(values.bot),
        admin.secrets.idOf(values.secret, { scope: values.scope }),
        values.mount ? mountIdOf(admin, values.mount) : undefined,
      ]);
      const grant = await admin.grants.add({
        botId,
        secretId,
        maxTtlSeconds: values["max-ttl"] ? parseDuration(values["max-ttl"]) : undefined,
        singleUseOnly: values["single-use"] ?? false,
        mountId,
        revealToAgent: values["reveal-to-agent"] ?? false,
      });
      if (ctx.json) printJson(grant);
      else info(`granted ${grant.bot.name} → ${grant.secret.name} (${grant.secret.scope})${values.mount ? ` through mount ${values.mount}` : ""}: ${grant.id}`);
      if (grant.revealToAgent && !ctx.json) info(REVEAL_WARNING);
      return 0;
    }
    case "list": {
      const { values } = parse(argv, { bot: { type: "string" }, secret: { type: "string" }, scope: { type: "string", short: "s" } }, { max: 0 });
      const ctx = context(values);
      const admin = ctx.admin();
      const grants = await admin.grants.list({
        botId: values.bot ? await admin.bots.idOf(values.bot) : undefined,
        secretId: values.secret ? await admin.secrets.idOf(values.secret, { scope: values.scope }) : undefined,
      });
      if (ctx.json) printJson(grants);
      else printTable(grants.map((g) => ({ id: g.id, bot: g.bot.name, secret: g.secret.name, scope: g.secret.scope, maxTtl: g.maxTtlSeconds, singleUse: g.singleUseOnly, mount: g.mountId, reveal: g.revealToAgent })), ["id", "bot", "secret", "scope", "maxTtl", "singleUse", "mount", "reveal"]);
      return 0;
    }
    case "set": {
      const { values, positionals } = parse(argv, { "reveal-to-agent": { type: "boolean" }, "no-reveal-to-agent": { type: "boolean" } }, { min: 1, max: 1 });
      const reveal = values["reveal-to-agent"] === true;
      if (reveal === (values["no-reveal-to-agent"] === true)) throw new UsageError("grant set needs exactly one of --reveal-to-agent, --no-reveal-to-agent");
      const ctx = context(values);
      const grant = await ctx.admin().grants.update(positionals[0], { revealToAgent: reveal });
      if (ctx.json) printJson(grant);
      else {
        info(`grant ${grant.id} (${grant.bot.name} → ${grant.secret.name}): vault_read ${reveal ? "returns the value" : "returns references only"}`);
        if (reveal) info(REVEAL_WARNING);
      }
      return 0;
    }
    case "remove": {
      const { values, positionals } = parse(argv, {}, { min: 1, max: 1 });
      const ctx = context(values);
      await ctx.admin().grants.remove(positionals[0]);
      if (ctx.json) printJson({ id: positionals[0], removed: true });
      else info(`removed grant ${positionals[0]}`);
      return 0;
    }
    default:
      throw new UsageError(sub ? `Unknown command: grant ${sub}` : "grant needs a subcommand: add, list, set, remove");
  }
}
