// DELETE /api/v1/bots/{id} — delete a bot with its grants and leases
// PATCH /api/v1/bots/{id} — change a bot's description or environment
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { deleteBot } from "@/lib/bots/delete-bot";
import { updateBot } from "@/lib/bots/update-bot";
import { idSchema } from "@/lib/validations/common";
import { updateBotSchema } from "@/lib/validations/bot";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const PATCH = withAdmin("bots:write", async ({ req, admin, actor, params, ip }) => {
  const id = idSchema("bot").parse(params.id);
  const input = await parseBody(req, updateBotSchema);
  const bot = await transaction(prisma, (tx) => updateBot(tx, { orgId: admin.orgId, id, actor, input, ip }));
  return NextResponse.json({ ...bot, frozen: bot.frozenAt !== null });
});

export const DELETE = withAdmin("bots:write", async ({ admin, actor, params, ip }) => {
  const id = idSchema("bot").parse(params.id);
  return NextResponse.json(await transaction(prisma, (tx) => deleteBot(tx, { orgId: admin.orgId, id, actor, ip })));
});

export const { GET, HEAD, POST, PUT, OPTIONS } = otherMethods("DELETE", "PATCH");
