// POST /api/v1/bots — create a bot; its rvb_ token is in this response only
// GET /api/v1/bots — list bots
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { createBot } from "@/lib/bots/create-bot";
import { listBots } from "@/lib/bots/list-bots";
import { createBotSchema } from "@/lib/validations/bot";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const POST = withAdmin("bots:write", async ({ req, admin, actor, ip }) => {
  const input = await parseBody(req, createBotSchema);
  const { bot, token } = await transaction(prisma, (tx) => createBot(tx, { orgId: admin.orgId, actor, input, ip }));
  return NextResponse.json({ ...bot, frozen: false, token }, { status: 201 });
});

export const GET = withAdmin("metadata:read", async ({ admin }) => {
  return NextResponse.json({ bots: await listBots(prisma, { orgId: admin.orgId }) });
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");
