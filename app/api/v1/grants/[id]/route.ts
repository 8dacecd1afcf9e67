// DELETE /api/v1/grants/{id} — remove a grant
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { prisma, transaction } from "@/lib/db/prisma";
import { deleteGrant } from "@/lib/grants/delete-grant";
import { idSchema } from "@/lib/validations/common";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const DELETE = withAdmin("grants:write", async ({ admin, actor, params, ip }) => {
  const id = idSchema("grt").parse(params.id);
  await transaction(prisma, (tx) => deleteGrant(tx, { orgId: admin.orgId, id, actor, ip }));
  return new NextResponse(null, { status: 204 });
});

export const { GET, HEAD, POST, PUT, PATCH, OPTIONS } = otherMethods("DELETE");
