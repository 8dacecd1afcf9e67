import type { PrismaClient } from "@/lib/generated/prisma/client";
import { sqlPool } from "@/lib/db/prisma";
import { ApiError, type ErrorCode } from "@/lib/api/errors";
import { appendAuditEvent, type AuditInput } from "@/lib/audit/record-audit-event";

/**
 * Commits the denial to the audit trail on its own, then refuses. If the event
 * cannot be written the caller gets a 5xx instead: nothing goes unrecorded.
 */
export async function denyWithAudit(
  db: PrismaClient,
  event: Omit<AuditInput, "outcome" | "reason">,
  code: ErrorCode,
  message: string,
): Promise<never> {
  await appendAuditEvent(sqlPool(db), { ...event, outcome: "denied", reason: `${code}: ${message}` });
  throw new ApiError(code, message);
}
