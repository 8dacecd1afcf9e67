import { headers } from "next/headers";

/** The client address for audit events recorded from pages and server actions. */
export async function requestIp(): Promise<string | null> {
  const h = await headers();
  const ip = h.get("x-forwarded-for")?.split(",")[0]?.trim() || h.get("x-real-ip")?.trim();
  return ip ? ip.slice(0, 64) : null;
}
