// GET /api/v1/secrets/{id} — secret metadata with version history
// PUT /api/v1/secrets/{id} — rotate ({value}) and/or update description, tags
// DELETE /api/v1/secrets/{id} — delete: removes grants, revokes leases
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { getSecretOrThrow } from "@/lib/secrets/get-secret-or-throw";
import { updateSecret } from "@/lib/secrets/update-secret";
import { deleteSecret } from "@/lib/secrets/delete-secret";
import { idSchema } from "@/lib/validations/common";
import { updateSecretSchema } from "@/lib/validations/secret";
import { otherMethods } from "@/lib/api/method-not-allowed";
import { auditingCoverageRefusals } from "@/lib/approvals/approval-coverage";

const secretId = idSchema("sec");

export const GET = withAdmin("metadata:read", async ({ admin, params }) => {
  return NextResponse.json(await getSecretOrThrow(prisma, { orgId: admin.orgId, id: secretId.parse(params.id) }));
});

export const PUT = withAdmin("catalogue:write", async ({ req, admin, actor, params, ip }) => {
  const id = secretId.parse(params.id);
  const input = await parseBody(req, updateSecretSchema);
  const secret = await auditingCoverageRefusals(prisma, () => transaction(prisma, (tx) => updateSecret(tx, { orgId: admin.orgId, id, actor, input, ip })));
  return NextResponse.json(secret);
});

export const DELETE = withAdmin("catalogue:write", async ({ admin, actor, params, ip }) => {
  const id = secretId.parse(params.id);
  const result = await auditingCoverageRefusals(prisma, () => transaction(prisma, (tx) => deleteSecret(tx, { orgId: admin.orgId, id, actor, ip })));
  return NextResponse.json(result);
});

export const { POST, PATCH, OPTIONS } = otherMethods("DELETE", "GET", "PUT");
