// GET /api/v1/secrets/{id}/access?days=7|from=…&to=…&format=json|csv — who leased and read the
// secret over a period (default the last 7 days): each lease event with bot name, actor,
// justification, mount, tool and client address, plus a per-bot summary.
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseQuery } from "@/lib/api/request";
import { prisma } from "@/lib/db/prisma";
import { getSecretOrThrow } from "@/lib/secrets/get-secret-or-throw";
import { listSecretAccess, secretAccessCsv } from "@/lib/audit/list-secret-access";
import { idSchema } from "@/lib/validations/common";
import { accessPeriod, secretAccessQuerySchema } from "@/lib/validations/secret-access";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const dynamic = "force-dynamic";

/** Enough for any one secret's week; the JSON answer says `truncated` when there were more. */
const EXPORT_LIMIT = 20_000;

export const GET = withAdmin("audit:read", async ({ req, admin, params }) => {
  const id = idSchema("sec").parse(params.id);
  const query = parseQuery(req, secretAccessQuerySchema);
  const secret = await getSecretOrThrow(prisma, { orgId: admin.orgId, id });
  const period = accessPeriod(query);
  const access = await listSecretAccess(prisma, { orgId: admin.orgId, secretId: id, ...period, limit: EXPORT_LIMIT });
  if (query.format === "csv") {
    const day = (d: Date) => d.toISOString().slice(0, 10);
    return new Response(secretAccessCsv(access.rows), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="access-${secret.name.replace(/[^A-Za-z0-9_.-]/g, "_")}-${day(period.from)}-${day(period.to)}.csv"`,
      },
    });
  }
  return NextResponse.json({ secret: { id, name: secret.name, scope: secret.scope }, from: period.from.toISOString(), to: period.to.toISOString(), ...access });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
