// GET /api/mounts/{name} — a bot fetches one of its own mounts (the recipe `runtime-vault mcp run` launches)
import { NextResponse } from "next/server";
import { withBot } from "@/lib/api/handler";
import { prisma } from "@/lib/db/prisma";
import { getMountOrThrow } from "@/lib/mounts/get-mount-or-throw";
import { mountNameSchema } from "@/lib/validations/mount";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const GET = withBot(async ({ bot, params }) => {
  const name = mountNameSchema.parse(params.name);
  const { name: mountName, command, args, url, headers, mappings, justificationTemplate, ttlSeconds, updatedAt } = await getMountOrThrow(prisma, {
    orgId: bot.orgId,
    botId: bot.id,
    name,
  });
  return NextResponse.json({ name: mountName, command, args, url, headers, mappings, justificationTemplate, ttlSeconds, updatedAt });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
