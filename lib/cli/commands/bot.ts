// runtime-vault bot create|list|set-env|freeze|unfreeze
import { parse } from "../args";
import { context } from "../context";
import { UsageError } from "../errors";
import { info, printJson, printTable } from "../output";

export async function botCommand([sub, ...argv]: string[]): Promise<number> {
  switch (sub) {
    case "create": {
      const { values, positionals } = parse(argv, { description: { type: "string" }, env: { type: "string" } }, { min: 1, max: 1 });
      const ctx = context(values);
      const bot = await ctx.admin().bots.create({ name: positionals[0], description: values.description, environment: values.env });
      // The token exists in clear only in this answer: it goes to stdout, for the operator to store.
      if (ctx.json) printJson(bot);
      else {
        info(`created bot ${bot.name} (${bot.id}); its token is shown once:`);
        process.stdout.write(`${bot.token}\n`);
      }
      return 0;
    }
    case "list": {
      const { values } = parse(argv, {}, { max: 0 });
      const ctx = context(values);
      const bots = await ctx.admin().bots.list();
      if (ctx.json) printJson(bots);
      else printTable(bots, ["name", "id", "environment", "frozen", "grantCount", "activeLeaseCount"]);
      return 0;
    }
    case "set-env": {
      const { values, positionals } = parse(argv, {}, { min: 2, max: 2 });
      const ctx = context(values);
      const bot = await ctx.admin().bots.update(positionals[0], { environment: positionals[1] });
      if (ctx.json) printJson(bot);
      else info(`${bot.name} now leases from scope ${bot.environment} when a request names none`);
      return 0;
    }
    case "freeze":
    case "unfreeze": {
      const { values, positionals } = parse(argv, { reason: { type: "string" } }, { min: 1, max: 1 });
      const ctx = context(values);
      const admin = ctx.admin();
      const bot = sub === "freeze" ? await admin.bots.freeze(positionals[0], values.reason) : await admin.bots.unfreeze(positionals[0]);
      if (ctx.json) printJson(bot);
      else info(sub === "freeze" ? `froze ${bot.name}; ${(bot as { leasesRevoked?: number }).leasesRevoked ?? 0} lease(s) revoked` : `unfroze ${bot.name}`);
      return 0;
    }
    default:
      throw new UsageError(sub ? `Unknown command: bot ${sub}` : "bot needs a subcommand: create, list, set-env, freeze, unfreeze");
  }
}
