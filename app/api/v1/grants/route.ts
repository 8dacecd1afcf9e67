// POST /api/v1/grants — permit a bot to lease a secret
// GET /api/v1/grants — list grants (?botId=&secretId=)
// DELETE /api/v1/grants — remove a grant by {id} (also DELETE /api/v1/grants/{id})
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody, parseQuery } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { createGrant } from "@/lib/grants/create-grant";
import { listGrants } from "@/lib/grants/list-grants";
import { deleteGrant } from "@/lib/grants/delete-grant";
import { createGrantSchema, deleteGrantSchema, listGrantsQuerySchema } from "@/lib/validations/grant";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const POST = withAdmin("grants:write", async ({ req, admin, actor, ip }) => {
  const input = await parseBody(req, createGrantSchema);
  const grant = await transaction(prisma, (tx) => createGrant(tx, { orgId: admin.orgId, actor, input, ip }));
  return NextResponse.json(grant, { status: 201 });
});

export const GET = withAdmin("metadata:read", async ({ req, admin }) => {
  const query = parseQuery(req, listGrantsQuerySchema);
  return NextResponse.json({ grants: await listGrants(prisma, { orgId: admin.orgId, ...query }) });
});

export const DELETE = withAdmin("grants:write", async ({ req, admin, actor, ip }) => {
  const { id } = await parseBody(req, deleteGrantSchema);
  await transaction(prisma, (tx) => deleteGrant(tx, { orgId: admin.orgId, id, actor, ip }));
  return new NextResponse(null, { status: 204 });
});

export const { PUT, PATCH, OPTIONS } = otherMethods("DELETE", "GET", "POST");
