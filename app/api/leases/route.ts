// POST /api/leases — a bot requests a lease: 201 with the token, or 202 {id, status:"pending"} when it needs approval
import { NextResponse } from "next/server";
import { withBot } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma } from "@/lib/db/prisma";
import { denyInvalidLeaseRequest } from "@/lib/leases/deny-invalid-request";
import { requestLease } from "@/lib/leases/request-lease";
import { requestLeaseSchema } from "@/lib/validations/lease";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const POST = withBot(async ({ req, bot, ip }) => {
  const input = await parseBody(req, requestLeaseSchema).catch((error) => denyInvalidLeaseRequest(prisma, { bot, ip, error }));
  const lease = await requestLease(prisma, { bot, input, ip });
  return NextResponse.json(lease, { status: lease.status === "pending" ? 202 : 201 });
});

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
