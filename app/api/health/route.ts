// GET /api/health — liveness; touches no database (the benchmark's ceiling route).
import { NextResponse } from "next/server";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const dynamic = "force-dynamic";

export function GET() {
  return NextResponse.json({ ok: true });
}

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
