// GET /api/v1/audit/verify — recompute the org's hash chain
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { prisma } from "@/lib/db/prisma";
import { verifyAuditChain } from "@/lib/audit/verify-audit-chain";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const GET = withAdmin("audit:read", async ({ admin }) => {
  return NextResponse.json(await verifyAuditChain(prisma, { orgId: admin.orgId }));
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
