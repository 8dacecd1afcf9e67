// PATCH /api/v1/members/{id} — change a member's role {role}
// DELETE /api/v1/members/{id} — remove a member (the last owner cannot go)
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { changeMemberRole } from "@/lib/members/change-member-role";
import { removeMember } from "@/lib/members/remove-member";
import { idSchema } from "@/lib/validations/common";
import { changeRoleSchema } from "@/lib/validations/member";
import { otherMethods } from "@/lib/api/method-not-allowed";

const userId = idSchema("usr");

export const PATCH = withAdmin("members:write", async ({ req, admin, actor, params, ip }) => {
  const id = userId.parse(params.id);
  const { role } = await parseBody(req, changeRoleSchema);
  return NextResponse.json(await transaction(prisma, (tx) => changeMemberRole(tx, { orgId: admin.orgId, id, role, actor, ip })));
});

export const DELETE = withAdmin("members:write", async ({ admin, actor, params, ip }) => {
  const id = userId.parse(params.id);
  await transaction(prisma, (tx) => removeMember(tx, { orgId: admin.orgId, id, actor, ip }));
  return new NextResponse(null, { status: 204 });
});

export const { GET, HEAD, POST, PUT, OPTIONS } = otherMethods("DELETE", "PATCH");
