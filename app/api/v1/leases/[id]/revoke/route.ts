// POST /api/v1/leases/{id}/revoke — revoke one lease
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { revokeLease } from "@/lib/leases/revoke-lease";
import { leaseIdSchema, revokeLeaseSchema } from "@/lib/validations/lease";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const POST = withAdmin("leases:revoke", async ({ req, admin, actor, params, ip }) => {
  const id = leaseIdSchema.parse(params.id);
  const { reason } = await parseBody(req, revokeLeaseSchema);
  return NextResponse.json(await transaction(prisma, (tx) => revokeLease(tx, { orgId: admin.orgId, id, actor, reason, ip })));
});

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
