// GET /api/v1/leases — leases of the org (?status=&botId=&secretId=&limit=)
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseQuery } from "@/lib/api/request";
import { prisma } from "@/lib/db/prisma";
import { listLeases } from "@/lib/leases/list-leases";
import { listLeasesQuerySchema } from "@/lib/validations/lease";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const GET = withAdmin("metadata:read", async ({ req, admin }) => {
  const query = parseQuery(req, listLeasesQuerySchema);
  return NextResponse.json({ leases: await listLeases(prisma, { orgId: admin.orgId, ...query }) });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
