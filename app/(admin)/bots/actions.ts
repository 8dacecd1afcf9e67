"use server";
import { redirect } from "next/navigation";
import { prisma, transaction } from "@/lib/db/prisma";
import { runAction } from "@/lib/forms/run-action";
import type { FormState } from "@/lib/forms/form-state";
import { bool, int, text } from "@/lib/forms/read-form";
import { createBot } from "@/lib/bots/create-bot";
import { deleteBot } from "@/lib/bots/delete-bot";
import { rotateBotToken } from "@/lib/bots/rotate-bot-token";
import { setBotFrozen } from "@/lib/bots/set-bot-frozen";
import { createGrant } from "@/lib/grants/create-grant";
import { deleteGrant } from "@/lib/grants/delete-grant";
import { updateGrant } from "@/lib/grants/update-grant";
import { createBotSchema, deleteBotFormSchema, freezeBotSchema, updateBotSchema } from "@/lib/validations/bot";
import { updateBot } from "@/lib/bots/update-bot";
import { idSchema } from "@/lib/validations/common";
import { createGrantSchema, updateGrantSchema } from "@/lib/validations/grant";

const botId = idSchema("bot");

export async function createBotAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("bots:write", "create bot", async ({ user, actor, ip }) => {
    const input = createBotSchema.parse({ name: text(fd, "name"), description: text(fd, "description"), environment: text(fd, "environment") || undefined });
    const { bot, token } = await transaction(prisma, (tx) => createBot(tx, { orgId: user.orgId, actor, input, ip }));
    return { ok: true, message: `Bot ${bot.name} created. Give it this token; grant it secrets on its page.`, secretOnce: token, data: { botId: bot.id } };
  }, fd);
}

export async function setEnvironmentAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("bots:write", "set bot environment", async ({ user, actor, ip }) => {
    const id = botId.parse(text(fd, "id"));
    const input = updateBotSchema.parse({ environment: text(fd, "environment") });
    const bot = await transaction(prisma, (tx) => updateBot(tx, { orgId: user.orgId, id, actor, input, ip }));
    return { ok: true, message: `${bot.name} now leases from scope ${bot.environment} when a request names none.` };
  }, fd);
}

export async function setFrozenAction(_prev: FormState, fd: FormData): Promise<FormState> {
  // Freezing only cuts a bot off (security may, in an incident); unfreezing restores it.
  const frozen = text(fd, "frozen") === "1";
  return runAction(frozen ? "bots:freeze" : "bots:write", frozen ? "freeze bot" : "unfreeze bot", async ({ user, actor, ip }) => {
    const id = botId.parse(text(fd, "id"));
    const { reason } = freezeBotSchema.parse({ reason: text(fd, "reason") });
    const bot = await transaction(prisma, (tx) => setBotFrozen(tx, { orgId: user.orgId, id, frozen, actor, reason, ip }));
    return { ok: true, message: frozen ? `${bot.name} frozen; ${bot.leasesRevoked} active leases revoked.` : `${bot.name} unfrozen.` };
  }, fd);
}

export async function rotateBotTokenAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("bots:write", "rotate bot token", async ({ user, actor, ip }) => {
    const id = botId.parse(text(fd, "id"));
    const { token } = await transaction(prisma, (tx) => rotateBotToken(tx, { orgId: user.orgId, id, actor, ip }));
    return { ok: true, message: "New token issued; the old one no longer works.", secretOnce: token };
  }, fd);
}

export async function deleteBotAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const state = await runAction("bots:write", "delete bot", async ({ user, actor, ip }) => {
    // The dialog disables its button until the name is typed; this is the check that counts.
    const { id, confirm } = deleteBotFormSchema.parse({ id: text(fd, "id"), confirm: text(fd, "confirm") });
    await transaction(prisma, (tx) => deleteBot(tx, { orgId: user.orgId, id, actor, ip, confirmName: confirm }));
    return { ok: true, message: "Bot deleted." };
  });
  if (state.ok) redirect("/bots");
  return state;
}

export async function createGrantAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("grants:write", "create grant", async ({ user, actor, ip }) => {
    const input = createGrantSchema.parse({
      botId: text(fd, "botId"),
      secretId: text(fd, "secretId"),
      maxTtlSeconds: int(fd, "maxTtlSeconds") ?? null,
      singleUseOnly: bool(fd, "singleUseOnly"),
      revealToAgent: bool(fd, "revealToAgent"),
    });
    const grant = await transaction(prisma, (tx) => createGrant(tx, { orgId: user.orgId, actor, input, ip }));
    const reveal = grant.revealToAgent ? " The agent will see its value through vault_read." : "";
    return { ok: true, message: `Granted ${grant.secret.name} (${grant.secret.scope}).${reveal}` };
  }, fd);
}

export async function deleteGrantAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("grants:write", "delete grant", async ({ user, actor, ip }) => {
    const id = idSchema("grt").parse(text(fd, "id"));
    await transaction(prisma, (tx) => deleteGrant(tx, { orgId: user.orgId, id, actor, ip }));
    return { ok: true, message: "Grant removed. Leases already issued stay until they expire or are revoked." };
  }, fd);
}

export async function setRevealToAgentAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("grants:write", "change grant reveal", async ({ user, actor, ip }) => {
    const id = idSchema("grt").parse(text(fd, "id"));
    const input = updateGrantSchema.parse({ revealToAgent: text(fd, "revealToAgent") === "1" });
    const grant = await transaction(prisma, (tx) => updateGrant(tx, { orgId: user.orgId, id, actor, input, ip }));
    return {
      ok: true,
      message: grant.revealToAgent
        ? `The agent now sees the value of ${grant.secret.name} through vault_read.`
        : `The agent gets references to ${grant.secret.name} only.`,
    };
  }, fd);
}
