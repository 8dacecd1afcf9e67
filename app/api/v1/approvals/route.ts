// GET /api/v1/approvals — lease requests waiting for a human decision, oldest first
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { prisma } from "@/lib/db/prisma";
import { listPendingLeases } from "@/lib/approvals/list-pending-leases";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const GET = withAdmin("metadata:read", async ({ admin }) => {
  return NextResponse.json({ pending: await listPendingLeases(prisma, { orgId: admin.orgId }) });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
