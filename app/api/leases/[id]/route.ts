// GET /api/leases/{id} — a bot reads one of its own leases
// DELETE /api/leases/{id} — a bot hands its lease back early
import { NextResponse } from "next/server";
import { withBot } from "@/lib/api/handler";
import { prisma } from "@/lib/db/prisma";
import { getBotLeaseOrThrow } from "@/lib/leases/get-bot-lease-or-throw";
import { releaseLease } from "@/lib/leases/release-lease";
import { leaseIdSchema } from "@/lib/validations/lease";

export const GET = withBot(async ({ bot, params }) => {
  const id = leaseIdSchema.parse(params.id);
  return NextResponse.json(await getBotLeaseOrThrow(prisma, { orgId: bot.orgId, botId: bot.id, id }));
});

export const DELETE = withBot(async ({ bot, params, ip }) => {
  const id = leaseIdSchema.parse(params.id);
  await releaseLease(prisma, { orgId: bot.orgId, botId: bot.id, id, ip });
  return new NextResponse(null, { status: 204 });
});
