// POST /api/v1/secrets — add a secret to the catalogue (the value is never returned)
// GET /api/v1/secrets — list secrets (metadata only)
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody, parseQuery } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { createSecret } from "@/lib/secrets/create-secret";
import { listSecrets } from "@/lib/secrets/list-secrets";
import { createSecretSchema, listSecretsQuerySchema } from "@/lib/validations/secret";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const POST = withAdmin("catalogue:write", async ({ req, admin, actor, ip }) => {
  const input = await parseBody(req, createSecretSchema);
  const secret = await transaction(prisma, (tx) =>
    createSecret(tx, { orgId: admin.orgId, actor, input, ip }),
  );
  return NextResponse.json(secret, { status: 201 });
});

export const GET = withAdmin("metadata:read", async ({ req, admin }) => {
  const query = parseQuery(req, listSecretsQuerySchema);
  return NextResponse.json({ secrets: await listSecrets(prisma, { orgId: admin.orgId, ...query }) });
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");
