// POST /v1/vault/secrets — compatibility API: add a secret {name, value, scope?} → 201 {id, name, created_at}
// GET /v1/vault/secrets — compatibility API: [{id, name, created_at}] (never values)
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { createSecret } from "@/lib/secrets/create-secret";
import { listSecrets } from "@/lib/secrets/list-secrets";
import { compatCreateSecretSchema } from "@/lib/validations/vault-compat";
import { compatSecret } from "@/lib/vault/compat/present";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const POST = withAdmin("catalogue:write", async ({ req, admin, actor, ip }) => {
  const { name, value, scope } = await parseBody(req, compatCreateSecretSchema);
  const secret = await transaction(prisma, (tx) =>
    createSecret(tx, { orgId: admin.orgId, actor, input: { name, value, scope: scope ?? "default", description: "", tags: [] }, ip }),
  );
  return NextResponse.json(compatSecret(secret), { status: 201 });
});

export const GET = withAdmin("metadata:read", async ({ admin }) => {
  return NextResponse.json((await listSecrets(prisma, { orgId: admin.orgId })).map(compatSecret));
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");
