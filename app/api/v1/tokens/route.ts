// GET /api/v1/tokens — the caller's admin API tokens (owners: ?all=true for the whole org's); never a token or hash
// POST /api/v1/tokens — create a token for the caller {name, expiresInDays?=90 (max 365)}; the rva_ token is in this response only
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody, parseQuery } from "@/lib/api/request";
import { assertPermission } from "@/lib/auth/authenticate-request";
import { prisma, transaction } from "@/lib/db/prisma";
import { issueApiToken } from "@/lib/api-tokens/issue-api-token";
import { listApiTokens } from "@/lib/api-tokens/list-api-tokens";
import { createApiTokenSchema, listApiTokensQuerySchema } from "@/lib/validations/api-token";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const GET = withAdmin("metadata:read", async ({ req, admin }) => {
  const { all } = parseQuery(req, listApiTokensQuerySchema);
  if (all) await assertPermission(req, admin, "tokens:others");
  const tokens = await listApiTokens(prisma, { orgId: admin.orgId, userId: all ? undefined : admin.userId });
  return NextResponse.json({ tokens: tokens.map((t) => ({ ...t, current: t.id === admin.tokenId })) });
});

export const POST = withAdmin("metadata:read", async ({ req, admin, actor, ip }) => {
  const input = await parseBody(req, createApiTokenSchema);
  const created = await transaction(prisma, (tx) => issueApiToken(tx, { orgId: admin.orgId, userId: admin.userId, input, viaTokenId: admin.tokenId, actor, ip }));
  return NextResponse.json(created, { status: 201 });
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");
