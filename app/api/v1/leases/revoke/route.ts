// POST /api/v1/leases/revoke — incident control: revoke all leases of {botId} | {secretId} | {all:true}, with a reason
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { revokeLeases } from "@/lib/leases/revoke-leases";
import { bulkRevokeSchema } from "@/lib/validations/lease";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const POST = withAdmin("leases:revoke", async ({ req, admin, actor, ip }) => {
  const input = await parseBody(req, bulkRevokeSchema);
  return NextResponse.json(await transaction(prisma, (tx) => revokeLeases(tx, { orgId: admin.orgId, actor, input, ip })));
});

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
