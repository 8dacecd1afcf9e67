// GET /api/health — liveness; touches no database (the benchmark's ceiling route).
import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

export function GET() {
  return NextResponse.json({ ok: true });
}
