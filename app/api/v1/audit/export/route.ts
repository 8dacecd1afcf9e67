// GET /api/v1/audit/export?format=csv|json&… — the filtered audit trail as a streamed download
// (admin API token or the web session; same filters as GET /api/v1/audit)
import type { NextRequest } from "next/server";
import { toErrorResponse } from "@/lib/api/errors";
import { parseQuery } from "@/lib/api/request";
import { prisma } from "@/lib/db/prisma";
import { authenticateRequest } from "@/lib/auth/authenticate-request";
import { exportAuditEvents, toReadableStream } from "@/lib/audit/export-audit-events";
import { exportAuditQuerySchema } from "@/lib/validations/audit";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  try {
    const admin = await authenticateRequest(req, "audit:read");
    const query = parseQuery(req, exportAuditQuerySchema);
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    return new Response(toReadableStream(exportAuditEvents(prisma, { orgId: admin.orgId, ...query })), {
      headers: {
        "content-type": query.format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
        "content-disposition": `attachment; filename="audit-${stamp}.${query.format}"`,
        "cache-control": "no-store",
      },
    });
  } catch (err) {
    const res = toErrorResponse(err);
    res.headers.set("cache-control", "no-store");
    return res;
  }
}
