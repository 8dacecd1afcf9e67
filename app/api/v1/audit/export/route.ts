// GET /api/v1/audit/export?format=csv|json&… — the filtered audit trail as a streamed download
// (admin API token or the web session; same filters as GET /api/v1/audit)
import { withAdmin } from "@/lib/api/handler";
import { parseQuery } from "@/lib/api/request";
import { prisma, sqlPool } from "@/lib/db/prisma";
import { exportAuditEvents, toReadableStream } from "@/lib/audit/export-audit-events";
import { exportAuditQuerySchema } from "@/lib/validations/audit";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const dynamic = "force-dynamic";

export const GET = withAdmin("audit:read", async ({ req, admin }) => {
  const query = parseQuery(req, exportAuditQuerySchema);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return new Response(toReadableStream(exportAuditEvents(sqlPool(prisma), { orgId: admin.orgId, ...query })), {
    headers: {
      "content-type": query.format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="audit-${stamp}.${query.format}"`,
    },
  });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
