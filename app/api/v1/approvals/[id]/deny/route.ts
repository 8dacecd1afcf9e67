// POST /api/v1/approvals/{leaseId}/deny — deny a pending lease ({reason})
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma } from "@/lib/db/prisma";
import { denyLease } from "@/lib/approvals/deny-lease";
import { denyLeaseSchema } from "@/lib/validations/approval";
import { leaseIdSchema } from "@/lib/validations/lease";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const POST = withAdmin("approvals:decide", async ({ req, admin, params, ip }) => {
  const leaseId = leaseIdSchema.parse(params.id);
  const { reason } = await parseBody(req, denyLeaseSchema);
  return NextResponse.json(await denyLease(prisma, { orgId: admin.orgId, leaseId, userId: admin.userId, reason, ip }));
});

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
