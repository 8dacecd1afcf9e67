// GET /api/vault/secrets — a bot lists the secrets it may lease (names, scopes, references; never values) (?mount=)
import { NextResponse } from "next/server";
import { withBot } from "@/lib/api/handler";
import { parseQuery } from "@/lib/api/request";
import { prisma } from "@/lib/db/prisma";
import { listVaultSecrets } from "@/lib/vault/list-vault-secrets";
import { vaultListQuerySchema } from "@/lib/validations/vault";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const GET = withBot(async ({ req, bot }) => {
  const { mount } = parseQuery(req, vaultListQuerySchema);
  return NextResponse.json(await listVaultSecrets(prisma, { bot, mount }));
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
