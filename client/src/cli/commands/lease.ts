// runtime-vault lease list|revoke, and revoke-all (the incident button)
import { parse } from "../args.ts";
import { context } from "../context.ts";
import { UsageError } from "../errors.ts";
import { info, printJson, printTable } from "../output.ts";
import type { LeaseStatus } from "../../sdk/types.ts";

const STATUSES = ["pending", "active", "expired", "denied", "revoked", "released", "used"];

export async function leaseCommand([sub, ...argv]: string[]): Promise<number> {
  switch (sub) {
    case "list": {
      const { values } = parse(argv, { status: { type: "string" }, bot: { type: "string" }, limit: { type: "string" } }, { max: 0 });
      if (values.status && !STATUSES.includes(values.status)) throw new UsageError(`--status is one of ${STATUSES.join(", ")}`);
      const ctx = context(values);
      const admin = ctx.admin();
      const leases = await admin.leases.list({
        status: values.status as LeaseStatus | undefined,
        botId: values.bot ? await admin.bots.idOf(values.bot) : undefined,
        limit: values.limit ? Number(values.limit) : undefined,
      });
      if (ctx.json) printJson(leases);
      else printTable(leases, ["id", "secretName", "scope", "status", "expiresAt", "justification"]);
      return 0;
    }
    case "revoke": {
      const { values, positionals } = parse(argv, { reason: { type: "string" } }, { min: 1, max: 1 });
      const ctx = context(values);
      const lease = await ctx.admin().leases.revoke(positionals[0], values.reason);
      if (ctx.json) printJson(lease);
      else info(lease.revoked ? `revoked ${lease.id}` : `${lease.id} was not active (${lease.status})`);
      return 0;
    }
    default:
      throw new UsageError(sub ? `Unknown command: lease ${sub}` : "lease needs a subcommand: list, revoke");
  }
}

export async function revokeAllCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { bot: { type: "string" }, secret: { type: "string" }, scope: { type: "string", short: "s" }, all: { type: "boolean" }, reason: { type: "string" } }, { max: 0 });
  const targets = [values.bot, values.secret, values.all].filter(Boolean).length;
  if (targets !== 1) throw new UsageError("revoke-all needs exactly one of --bot, --secret, --all");
  if (!values.reason) throw new UsageError("revoke-all needs --reason");
  const ctx = context(values);
  const admin = ctx.admin();
  const target = values.bot
    ? { botId: await admin.bots.idOf(values.bot) }
    : values.secret
      ? { secretId: await admin.secrets.idOf(values.secret, { scope: values.scope }) }
      : { all: true as const };
  const result = await admin.leases.revokeAll(target, values.reason);
  if (ctx.json) printJson(result);
  else info(`revoked ${result.revoked} lease(s)`);
  return 0;
}
