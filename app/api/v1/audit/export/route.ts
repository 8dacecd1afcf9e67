// GET /api/v1/audit/export?format=csv|json&… — the filtered audit trail as a streamed download
// (admin API token or the web session; same filters as GET /api/v1/audit).
// ?format=jsonl — the whole chain, oldest first, every hashed field, for offline verification.
import { withAdmin } from "@/lib/api/handler";
import { parseQuery } from "@/lib/api/request";
import { prisma, sqlPool } from "@/lib/db/prisma";
import { exportAuditChain, exportAuditEvents, toReadableStream } from "@/lib/audit/export-audit-events";
import { exportAuditQuerySchema } from "@/lib/validations/audit";
import { sealForReading } from "@/lib/audit/seal-for-reading";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const dynamic = "force-dynamic";

export const GET = withAdmin("audit:read", async ({ req, admin }) => {
  const query = parseQuery(req, exportAuditQuerySchema);
  // Everything recorded before the request is in the download, sealed.
  await sealForReading(prisma, admin.orgId);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const chunks = query.format === "jsonl"
    ? exportAuditChain(sqlPool(prisma), { orgId: admin.orgId })
    : exportAuditEvents(sqlPool(prisma), { orgId: admin.orgId, ...query, format: query.format });
  return new Response(toReadableStream(chunks), {
    headers: {
      "content-type": { csv: "text/csv; charset=utf-8", json: "application/json; charset=utf-8", jsonl: "application/x-ndjson; charset=utf-8" }[query.format],
      "content-disposition": `attachment; filename="audit-${stamp}.${query.format}"`,
    },
  });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
