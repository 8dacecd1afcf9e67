// A bot's lease request that does not parse is still a request: record it, then refuse
// with the parse error. Only the error's code and the offending fields' paths go into the
// event, never the body (a bot could have pasted anything into it, a secret included).
import { ZodError } from "zod";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { sqlPool } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { appendAuditEvent } from "@/lib/audit/record-audit-event";
import type { BotPrincipal } from "@/lib/auth/authenticate-bot";

export async function denyInvalidLeaseRequest(db: PrismaClient, { bot, ip = null, error }: { bot: BotPrincipal; ip?: string | null; error: unknown }): Promise<never> {
  const code = error instanceof ApiError ? error.code : error instanceof ZodError ? "validation_failed" : null;
  if (!code) throw error;
  const fields = error instanceof ZodError ? [...new Set(error.issues.map((i) => i.path.map(String).join(".")).filter(Boolean))].slice(0, 20) : [];
  await appendAuditEvent(sqlPool(db), {
    orgId: bot.orgId,
    type: "lease.denied",
    actor: { type: "bot", id: bot.id },
    botId: bot.id,
    outcome: "denied",
    reason: `${code}: the lease request was malformed`,
    ip,
    data: fields.length > 0 ? { fields } : null,
  });
  throw error;
}
