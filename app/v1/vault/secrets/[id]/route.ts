// DELETE /v1/vault/secrets/{id} — compatibility API: delete a secret with its grants (its leases are revoked) → 204
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { ApiError } from "@/lib/api/errors";
import { prisma, transaction } from "@/lib/db/prisma";
import { deleteSecret } from "@/lib/secrets/delete-secret";
import { idSchema } from "@/lib/validations/common";
import { auditingCoverageRefusals } from "@/lib/approvals/approval-coverage";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const DELETE = withAdmin("catalogue:write", async ({ admin, actor, params, ip }) => {
  // The reference API's ids are opaque: one that is not ours names no secret.
  const id = idSchema("sec").safeParse(params.id);
  if (!id.success) throw new ApiError("not_found", "Secret not found");
  await auditingCoverageRefusals(prisma, () => transaction(prisma, (tx) => deleteSecret(tx, { orgId: admin.orgId, id: id.data, actor, ip })));
  return new NextResponse(null, { status: 204 });
});

export const { GET, HEAD, POST, PUT, PATCH, OPTIONS } = otherMethods("DELETE");
