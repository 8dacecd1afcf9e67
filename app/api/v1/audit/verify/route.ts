// GET /api/v1/audit/verify — check the org's hash chain from its last signed checkpoint (?full=true: from its start,
// genesis or its archive base). Answers the whole VerifyResult: ok/brokenAt/reason, checked, walked, mode, the
// anchor it was checked against, the archived prefix and the unsealed tail.
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseQuery } from "@/lib/api/request";
import { prisma } from "@/lib/db/prisma";
import { verifyAuditChainOnce } from "@/lib/audit/verify-audit-chain";
import { verifyQuerySchema } from "@/lib/validations/audit";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const GET = withAdmin("audit:read", async ({ req, admin }) => {
  const { full } = parseQuery(req, verifyQuerySchema);
  return NextResponse.json(await verifyAuditChainOnce(prisma, { orgId: admin.orgId, full: full === "true" }));
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
