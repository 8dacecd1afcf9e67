// GET /api/v1/mounts/{id} — one mount
// PUT /api/v1/mounts/{id} — change command, args, mappings, justification template or TTL
// DELETE /api/v1/mounts/{id} — delete a mount and the grants limited to it
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { getMountOrThrow } from "@/lib/mounts/get-mount-or-throw";
import { updateMount } from "@/lib/mounts/update-mount";
import { deleteMount } from "@/lib/mounts/delete-mount";
import { mountIdSchema, updateMountSchema } from "@/lib/validations/mount";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const GET = withAdmin("metadata:read", async ({ admin, params }) => {
  return NextResponse.json(await getMountOrThrow(prisma, { orgId: admin.orgId, id: mountIdSchema.parse(params.id) }));
});

export const PUT = withAdmin("grants:write", async ({ req, admin, actor, params, ip }) => {
  const id = mountIdSchema.parse(params.id);
  const input = await parseBody(req, updateMountSchema);
  return NextResponse.json(await transaction(prisma, (tx) => updateMount(tx, { orgId: admin.orgId, id, actor, input, ip })));
});

export const DELETE = withAdmin("grants:write", async ({ admin, actor, params, ip }) => {
  const id = mountIdSchema.parse(params.id);
  return NextResponse.json(await transaction(prisma, (tx) => deleteMount(tx, { orgId: admin.orgId, id, actor, ip })));
});

export const { POST, PATCH, OPTIONS } = otherMethods("DELETE", "GET", "PUT");
