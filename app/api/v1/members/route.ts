// GET /api/v1/members — the org's members (owner only)
// POST /api/v1/members — invite {email, role, name?}; the set-password link is in this response only
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { listMembers } from "@/lib/members/list-members";
import { inviteMember } from "@/lib/members/invite-member";
import { setPasswordUrl } from "@/lib/members/set-password-url";
import { inviteMemberSchema } from "@/lib/validations/member";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const GET = withAdmin("members:write", async ({ admin }) => {
  return NextResponse.json({ members: await listMembers(prisma, { orgId: admin.orgId }) });
});

export const POST = withAdmin("members:write", async ({ req, admin, actor, ip }) => {
  const input = await parseBody(req, inviteMemberSchema);
  const { member, setPasswordToken } = await transaction(prisma, (tx) => inviteMember(tx, { orgId: admin.orgId, actor, input, ip }));
  // Built on the configured public URL, never on the request's (forgeable) headers.
  return NextResponse.json({ ...member, setPasswordUrl: setPasswordUrl(setPasswordToken) }, { status: 201 });
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");
