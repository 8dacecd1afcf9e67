import { headers } from "next/headers";
import { clientAddress } from "@/lib/api/client-address";

/** The client address for audit events recorded from pages and server actions (see lib/api/client-address.ts). */
export async function requestIp(): Promise<string | null> {
  return clientAddress(await headers());
}
