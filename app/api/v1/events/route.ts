// GET /api/v1/events — live audit events as Server-Sent Events (Last-Event-ID or ?after= resumes)
import { withAdmin } from "@/lib/api/handler";
import { ApiError } from "@/lib/api/errors";
import { parseQuery } from "@/lib/api/request";
import { prisma } from "@/lib/db/prisma";
import { adminStillAllowed } from "@/lib/auth/admin-still-allowed";
import { auditListener } from "@/lib/events/audit-listener";
import { openEventStream } from "@/lib/events/open-event-stream";
import { acquireStreamSlot, streamsPerUserFromEnv } from "@/lib/events/stream-slots";
import { eventStreamQuerySchema, lastEventIdSchema } from "@/lib/validations/event";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const dynamic = "force-dynamic";

export const GET = withAdmin("audit:read", async ({ req, admin }) => {
  const { after } = parseQuery(req, eventStreamQuerySchema);
  const header = req.headers.get("last-event-id");
  const from = header !== null ? lastEventIdSchema.parse(header.trim()) : after;
  const max = streamsPerUserFromEnv();
  const release = acquireStreamSlot(admin.userId, max);
  if (!release) {
    throw new ApiError("rate_limited", `At most ${max} event streams per user at a time; close one first`, {}, { "retry-after": "5" });
  }
  const stream = await openEventStream(prisma, {
    orgId: admin.orgId,
    listener: auditListener(),
    after: from !== undefined ? BigInt(from) : null,
    heartbeatMs: Number(process.env.RV_EVENTS_HEARTBEAT_MS) || undefined,
    stillAllowed: () => adminStillAllowed(prisma, admin, "audit:read"),
    signal: req.signal,
    onClose: release,
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "x-accel-buffering": "no" },
  });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
