// GET /api/v1/audit — audit events, newest first (?type=&botId=&secretId=&from=&to=&cursor=&limit=)
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseQuery } from "@/lib/api/request";
import { prisma } from "@/lib/db/prisma";
import { listAuditEvents } from "@/lib/audit/list-audit-events";
import { listAuditQuerySchema } from "@/lib/validations/audit";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const GET = withAdmin("audit:read", async ({ req, admin }) => {
  const query = parseQuery(req, listAuditQuerySchema);
  return NextResponse.json(await listAuditEvents(prisma, { orgId: admin.orgId, ...query }));
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
