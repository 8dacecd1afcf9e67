// POST /v1/vault/grants — compatibility API: let an agent (bot id or name) lease a secret {agent_id, secret_id} → 201 {grant_id, agent_id, secret_id, created_at}
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { ApiError } from "@/lib/api/errors";
import { parseBody } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { createGrant } from "@/lib/grants/create-grant";
import { idSchema } from "@/lib/validations/common";
import { compatCreateGrantSchema } from "@/lib/validations/vault-compat";
import { findAgentOrThrow } from "@/lib/vault/compat/find-agent-or-throw";
import { compatGrant } from "@/lib/vault/compat/present";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const POST = withAdmin("grants:write", async ({ req, admin, actor, ip }) => {
  const input = await parseBody(req, compatCreateGrantSchema);
  const secretId = idSchema("sec").safeParse(input.secret_id);
  if (!secretId.success) throw new ApiError("not_found", "Secret not found");
  const grant = await transaction(prisma, async (tx) => {
    const bot = await findAgentOrThrow(tx, { orgId: admin.orgId, agent: input.agent_id });
    return createGrant(tx, { orgId: admin.orgId, actor, input: { botId: bot.id, secretId: secretId.data, singleUseOnly: false }, ip });
  });
  return NextResponse.json(compatGrant(grant), { status: 201 });
});

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
