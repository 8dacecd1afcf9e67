// POST /api/v1/mounts — define an MCP server launch recipe (mount) for a bot
// GET /api/v1/mounts — list mounts (?botId=)
import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody, parseQuery } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { createMount } from "@/lib/mounts/create-mount";
import { listMounts } from "@/lib/mounts/list-mounts";
import { createMountSchema, listMountsQuerySchema } from "@/lib/validations/mount";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const POST = withAdmin("grants:write", async ({ req, admin, actor, ip }) => {
  const input = await parseBody(req, createMountSchema);
  const mount = await transaction(prisma, (tx) => createMount(tx, { orgId: admin.orgId, actor, input, ip }));
  return NextResponse.json(mount, { status: 201 });
});

export const GET = withAdmin("metadata:read", async ({ req, admin }) => {
  const query = parseQuery(req, listMountsQuerySchema);
  return NextResponse.json({ mounts: await listMounts(prisma, { orgId: admin.orgId, ...query }) });
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");
