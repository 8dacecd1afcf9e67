// Seeds through the same domain functions the API uses; every call makes unique data.
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../lib/db/prisma";
import { transaction } from "../lib/db/prisma";
import { SYSTEM_ACTOR, type Actor } from "../lib/audit/record-audit-event";
import { createOrganization } from "../lib/orgs/create-organization";
import { createUser } from "../lib/users/create-user";
import { createApiToken } from "../lib/api-tokens/create-api-token";
import { createBot } from "../lib/bots/create-bot";
import { createSecret } from "../lib/secrets/create-secret";
import { createGrant } from "../lib/grants/create-grant";
import type { Role } from "../lib/generated/prisma/enums";
import type { BotPrincipal } from "../lib/auth/authenticate-bot";
import { requestLease, type IssuedLease } from "../lib/leases/request-lease";
import { ApiError } from "../lib/api/errors";

export const unique = (prefix = "") => prefix + randomBytes(4).toString("hex");

export async function seedOrg(db: PrismaClient, role: Role = "owner") {
  const slug = unique("org-");
  return transaction(db, async (tx) => {
    const org = await createOrganization(tx, { name: slug, slug });
    const user = await createUser(tx, { orgId: org.id, email: `${slug}@example.test`, password: "correct horse battery", role, actor: SYSTEM_ACTOR });
    const { token: adminToken } = await createApiToken(tx, { orgId: org.id, userId: user.id, name: "test", actor: SYSTEM_ACTOR });
    const actor: Actor = { type: "user", id: user.id };
    return { org, orgId: org.id, user, adminToken, actor };
  });
}

export async function seedBot(db: PrismaClient, orgId: string, actor: Actor = SYSTEM_ACTOR) {
  const { bot, token } = await transaction(db, (tx) => createBot(tx, { orgId, actor, input: { name: unique("bot-"), description: "" } }));
  const principal: BotPrincipal = { id: bot.id, orgId, name: bot.name, frozen: false };
  return { bot, token, principal };
}

export async function seedSecret(db: PrismaClient, orgId: string, opts: { name?: string; scope?: string; value?: string } = {}) {
  const value = opts.value ?? `canary-${unique()}-${unique()}`;
  const secret = await transaction(db, (tx) =>
    createSecret(tx, {
      orgId,
      actor: SYSTEM_ACTOR,
      input: { name: opts.name ?? unique("KEY_").toUpperCase(), scope: opts.scope ?? "default", description: "", tags: [], value },
    }),
  );
  return { secret, value };
}

export async function seedGrant(db: PrismaClient, orgId: string, botId: string, secretId: string, extra: { maxTtlSeconds?: number; singleUseOnly?: boolean } = {}) {
  return transaction(db, (tx) =>
    createGrant(tx, { orgId, actor: SYSTEM_ACTOR, input: { botId, secretId, singleUseOnly: extra.singleUseOnly ?? false, maxTtlSeconds: extra.maxTtlSeconds } }),
  );
}

/** An org with a bot permitted to lease one secret: the accounting story in one call. */
export async function seedScenario(db: PrismaClient, secretOpts: { name?: string; scope?: string; value?: string } = {}) {
  const org = await seedOrg(db);
  const bot = await seedBot(db, org.orgId);
  const { secret, value } = await seedSecret(db, org.orgId, secretOpts);
  const grant = await seedGrant(db, org.orgId, bot.bot.id, secret.id);
  return { ...org, ...bot, secret, value, grant };
}

/** requestLease for tests that expect an immediately active lease (no approval rule). */
export async function issueLease(...args: Parameters<typeof requestLease>): Promise<IssuedLease> {
  const lease = await requestLease(...args);
  if (!("leaseToken" in lease)) throw new Error(`expected an active lease, got ${(lease as { status: string }).status}`);
  return lease;
}

/** Another member of `orgId`, with an admin API token of their own. */
export async function seedMember(db: PrismaClient, orgId: string, role: Role) {
  const email = `${unique("member-")}@example.test`;
  return transaction(db, async (tx) => {
    const user = await createUser(tx, { orgId, email, password: "correct horse battery", role, actor: SYSTEM_ACTOR });
    const { token } = await createApiToken(tx, { orgId, userId: user.id, name: "test", actor: SYSTEM_ACTOR });
    return { user, token };
  });
}

export { sealAudit } from "./seal-audit";

/** The code and message an API refusal carries; fails when the promise does not refuse. */
export async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error("expected a refusal");
}
