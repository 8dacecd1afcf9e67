// GET /api/health — liveness; touches no database (the benchmark's ceiling route). With
// audit sinks configured it also carries their lag gauge, which the shipper keeps
// up to date in memory (lib/audit/sinks/sink-status.ts).
import { NextResponse } from "next/server";
import { otherMethods } from "@/lib/api/method-not-allowed";
import { auditSinkStatus } from "@/lib/audit/sinks/sink-status";

export const dynamic = "force-dynamic";

export function GET() {
  const auditSinks = auditSinkStatus();
  return NextResponse.json(auditSinks ? { ok: true, auditSinks } : { ok: true });
}

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
