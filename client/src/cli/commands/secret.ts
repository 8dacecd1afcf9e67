// runtime-vault secret set|list|exists|delete|rotate
import { parse } from "../args.ts";
import { context } from "../context.ts";
import { CliError, UsageError } from "../errors.ts";
import { info, printJson, printTable } from "../output.ts";
import { readSecretValue } from "../read-value.ts";

const scope = { scope: { type: "string", short: "s" } } as const;

export async function secretCommand([sub, ...argv]: string[]): Promise<number> {
  switch (sub) {
    case "set":
    case "rotate": {
      const { values, positionals } = parse(argv, { ...scope, "from-file": { type: "string" }, description: { type: "string" }, tag: { type: "string", multiple: true } }, { min: 1, max: 2 });
      const ctx = context(values);
      const [name, positional] = positionals;
      const value = await readSecretValue({ name, positional, fromFile: values["from-file"] });
      const admin = ctx.admin();
      if (sub === "rotate") {
        const secret = await admin.secrets.rotate(name, value, { scope: values.scope });
        if (ctx.json) printJson(secret);
        else info(`rotated ${secret.name} (${secret.scope}) to version ${secret.currentVersion}`);
        return 0;
      }
      const { secret, created } = await admin.secrets.set(name, value, { scope: values.scope, description: values.description, tags: values.tag });
      if (ctx.json) printJson({ ...secret, created });
      else info(`${created ? "created" : "rotated"} ${secret.name} (${secret.scope}), version ${secret.currentVersion}`);
      return 0;
    }
    case "list": {
      const { values } = parse(argv, scope, { max: 0 });
      const ctx = context(values);
      const secrets = await ctx.admin().secrets.list({ scope: values.scope });
      if (ctx.json) printJson(secrets.map(({ id, name, scope, currentVersion, tags }) => ({ id, name, scope, currentVersion, tags })));
      else printTable(secrets, ["name", "scope", "currentVersion"]);
      return 0;
    }
    case "exists": {
      const { values, positionals } = parse(argv, scope, { min: 1, max: 1 });
      const ctx = context(values);
      const exists = await ctx.admin().secrets.exists(positionals[0], { scope: values.scope });
      if (ctx.json) printJson({ exists });
      else process.stdout.write(`${exists}\n`);
      return exists ? 0 : 1;
    }
    case "delete": {
      const { values, positionals } = parse(argv, scope, { min: 1, max: 1 });
      const ctx = context(values);
      const result = await ctx.admin().secrets.delete(positionals[0], { scope: values.scope });
      if (ctx.json) printJson(result);
      else info(`deleted ${positionals[0]}; ${result.leasesRevoked} lease(s) revoked, ${result.grantsRemoved} grant(s) removed`);
      return 0;
    }
    case undefined:
      throw new UsageError("secret needs a subcommand: set, list, exists, delete, rotate");
    default:
      throw new CliError(`Unknown command: secret ${sub}`, 2);
  }
}
