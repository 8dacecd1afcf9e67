// POST /api/vault/read — vault.read: a bot gets the reference {{secret:NAME}} after the lease checks; the value only with a revealToAgent grant
import { NextResponse } from "next/server";
import { withBot } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma } from "@/lib/db/prisma";
import { denyInvalidLeaseRequest } from "@/lib/leases/deny-invalid-request";
import { readVaultSecret } from "@/lib/vault/read-vault-secret";
import { vaultReadSchema } from "@/lib/validations/vault";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const POST = withBot(async ({ req, bot, ip }) => {
  // A malformed read is still a request for a secret: recorded as a lease request's would be.
  const input = await parseBody(req, vaultReadSchema).catch((error) => denyInvalidLeaseRequest(prisma, { bot, ip, error }));
  return NextResponse.json(await readVaultSecret(prisma, { bot, input, ip }));
});

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
