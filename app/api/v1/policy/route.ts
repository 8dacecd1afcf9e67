// GET /api/v1/policy — the org's lease policy
// PUT /api/v1/policy — change it (owner only)
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { getPolicyOrThrow } from "@/lib/policy/get-policy";
import { updatePolicy } from "@/lib/policy/update-policy";
import { updatePolicySchema } from "@/lib/validations/policy";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const GET = withAdmin("metadata:read", async ({ admin }) => {
  return NextResponse.json(await getPolicyOrThrow(prisma, { orgId: admin.orgId }));
});

export const PUT = withAdmin("policy:write", async ({ req, admin, actor, ip }) => {
  const input = await parseBody(req, updatePolicySchema);
  return NextResponse.json(await transaction(prisma, (tx) => updatePolicy(tx, { orgId: admin.orgId, actor, input, ip })));
});

export const { POST, PATCH, DELETE, OPTIONS } = otherMethods("GET", "PUT");
