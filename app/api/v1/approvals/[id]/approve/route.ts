// POST /api/v1/approvals/{leaseId}/approve — approve a pending lease ({reason?}); never the bot creator's own
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma } from "@/lib/db/prisma";
import { approveLease } from "@/lib/approvals/approve-lease";
import { decideLeaseSchema } from "@/lib/validations/approval";
import { leaseIdSchema } from "@/lib/validations/lease";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const POST = withAdmin("approvals:decide", async ({ req, admin, params, ip }) => {
  const leaseId = leaseIdSchema.parse(params.id);
  const { reason } = await parseBody(req, decideLeaseSchema);
  return NextResponse.json(await approveLease(prisma, { orgId: admin.orgId, leaseId, userId: admin.userId, reason, ip }));
});

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
