// DELETE /api/v1/tokens/{id} — revoke an admin API token (your own; owners: anyone's in the org); 204, refused from the next request on
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { prisma, transaction } from "@/lib/db/prisma";
import { revokeApiToken } from "@/lib/api-tokens/revoke-api-token";
import { apiTokenIdSchema } from "@/lib/validations/api-token";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const DELETE = withAdmin("metadata:read", async ({ admin, actor, params, ip }) => {
  const id = apiTokenIdSchema.parse(params.id);
  await transaction(prisma, (tx) => revokeApiToken(tx, { orgId: admin.orgId, id, caller: admin, actor, ip }));
  return new NextResponse(null, { status: 204 });
});

export const { GET, HEAD, POST, PUT, PATCH, OPTIONS } = otherMethods("DELETE");
