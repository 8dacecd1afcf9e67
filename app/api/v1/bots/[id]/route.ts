// DELETE /api/v1/bots/{id} — delete a bot with its grants and leases
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { prisma, transaction } from "@/lib/db/prisma";
import { deleteBot } from "@/lib/bots/delete-bot";
import { idSchema } from "@/lib/validations/common";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const DELETE = withAdmin("bots:write", async ({ admin, actor, params, ip }) => {
  const id = idSchema("bot").parse(params.id);
  return NextResponse.json(await transaction(prisma, (tx) => deleteBot(tx, { orgId: admin.orgId, id, actor, ip })));
});

export const { GET, HEAD, POST, PUT, PATCH, OPTIONS } = otherMethods("DELETE");
