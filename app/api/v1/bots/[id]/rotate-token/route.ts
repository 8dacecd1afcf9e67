// POST /api/v1/bots/{id}/rotate-token — new rvb_ token (in this response only); the old one stops working
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { prisma, transaction } from "@/lib/db/prisma";
import { rotateBotToken } from "@/lib/bots/rotate-bot-token";
import { idSchema } from "@/lib/validations/common";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const POST = withAdmin("bots:write", async ({ admin, actor, params, ip }) => {
  const id = idSchema("bot").parse(params.id);
  const { bot, token } = await transaction(prisma, (tx) => rotateBotToken(tx, { orgId: admin.orgId, id, actor, ip }));
  return NextResponse.json({ ...bot, token });
});

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
