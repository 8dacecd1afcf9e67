// PATCH /api/v1/grants/{id} — change a grant's revealToAgent ({revealToAgent: boolean})
// DELETE /api/v1/grants/{id} — remove a grant
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { deleteGrant } from "@/lib/grants/delete-grant";
import { updateGrant } from "@/lib/grants/update-grant";
import { idSchema } from "@/lib/validations/common";
import { updateGrantSchema } from "@/lib/validations/grant";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const PATCH = withAdmin("grants:write", async ({ req, admin, actor, params, ip }) => {
  const id = idSchema("grt").parse(params.id);
  const input = await parseBody(req, updateGrantSchema);
  return NextResponse.json(await transaction(prisma, (tx) => updateGrant(tx, { orgId: admin.orgId, id, actor, input, ip })));
});

export const DELETE = withAdmin("grants:write", async ({ admin, actor, params, ip }) => {
  const id = idSchema("grt").parse(params.id);
  await transaction(prisma, (tx) => deleteGrant(tx, { orgId: admin.orgId, id, actor, ip }));
  return new NextResponse(null, { status: 204 });
});

export const { GET, HEAD, POST, PUT, OPTIONS } = otherMethods("DELETE", "PATCH");
