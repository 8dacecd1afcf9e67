// GET /api/leases/{id} — a bot reads one of its own leases; an approved lease's token comes with the first read only
// DELETE /api/leases/{id} — a bot hands its lease back early
import { NextResponse } from "next/server";
import { withBot } from "@/lib/api/handler";
import { prisma } from "@/lib/db/prisma";
import { collectLease } from "@/lib/leases/collect-lease";
import { releaseLease } from "@/lib/leases/release-lease";
import { leaseIdSchema } from "@/lib/validations/lease";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const GET = withBot(async ({ bot, params, ip }) => {
  const id = leaseIdSchema.parse(params.id);
  return NextResponse.json(await collectLease(prisma, { orgId: bot.orgId, botId: bot.id, id, ip }));
});

export const DELETE = withBot(async ({ bot, params, ip }) => {
  const id = leaseIdSchema.parse(params.id);
  await releaseLease(prisma, { orgId: bot.orgId, botId: bot.id, id, ip });
  return new NextResponse(null, { status: 204 });
});

export const { POST, PUT, PATCH, OPTIONS } = otherMethods("DELETE", "GET");
