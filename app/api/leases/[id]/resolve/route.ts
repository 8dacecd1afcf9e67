// POST /api/leases/{id}/resolve — the runtime exchanges a lease token for the value
import { NextResponse } from "next/server";
import { withLeaseToken } from "@/lib/api/handler";
import { ApiError } from "@/lib/api/errors";
import { prisma } from "@/lib/db/prisma";
import { resolveLease } from "@/lib/leases/resolve-lease";
import { leaseIdSchema } from "@/lib/validations/lease";
import { refuseReadsWhileSinkDown } from "@/lib/audit/sinks/sink-status";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const POST = withLeaseToken(async ({ params, leaseToken, ip, budget }) => {
  // Fail closed (RV_AUDIT_SINK_MODE / required sinks): no value while a required audit sink is down.
  refuseReadsWhileSinkDown();
  // A malformed id cannot match any token: answer as for a wrong token.
  const id = leaseIdSchema.safeParse(params.id);
  if (!id.success) throw new ApiError("unauthenticated", "A valid lease token is required");
  return NextResponse.json(await resolveLease(prisma, { leaseId: id.data, leaseToken, ip, budget }));
});

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
