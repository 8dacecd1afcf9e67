// GET /api/v1/members — the org's members (owner only)
// POST /api/v1/members — invite {email, role, name?}; the set-password link is in this response only
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { listMembers } from "@/lib/members/list-members";
import { inviteMember } from "@/lib/members/invite-member";
import { inviteMemberSchema } from "@/lib/validations/member";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const GET = withAdmin("members:write", async ({ admin }) => {
  return NextResponse.json({ members: await listMembers(prisma, { orgId: admin.orgId }) });
});

export const POST = withAdmin("members:write", async ({ req, admin, actor, ip }) => {
  const input = await parseBody(req, inviteMemberSchema);
  const { member, setPasswordToken } = await transaction(prisma, (tx) => inviteMember(tx, { orgId: admin.orgId, actor, input, ip }));
  const setPasswordUrl = new URL(`/set-password?token=${setPasswordToken}`, req.url).toString();
  return NextResponse.json({ ...member, setPasswordUrl }, { status: 201 });
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");
