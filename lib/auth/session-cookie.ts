// Whether a request carries a session next-auth would accept: the cookie decrypts with the
// session secret and has not expired. For proxy.ts, which must refuse server actions of
// signed-out visitors before Next decodes their bodies. Who the user is and what their role
// allows is still decided by every action (lib/auth/get-session-user.ts).
import type { NextRequest } from "next/server";
import { decode } from "next-auth/jwt";
import { authSecret } from "./auth-secret";
import { KeyProviderUnavailableError } from "@/lib/crypto/key-provider-unavailable";

export const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

/** next-auth splits a large cookie into `<name>.0`, `<name>.1`, …; ours is small, but read it as next-auth would. */
function sessionToken(req: NextRequest, name: string): string | undefined {
  const whole = req.cookies.get(name)?.value;
  if (whole) return whole;
  const chunks = req.cookies
    .getAll()
    .filter((c) => c.name.startsWith(`${name}.`) && /^\d+$/.test(c.name.slice(name.length + 1)))
    .sort((a, b) => Number(a.name.slice(name.length + 1)) - Number(b.name.slice(name.length + 1)));
  return chunks.length ? chunks.map((c) => c.value).join("") : undefined;
}

let secret: string | undefined;

export async function hasValidSession(req: NextRequest): Promise<boolean> {
  try {
    secret ??= authSecret();
  } catch (err) {
    // With an HSM that is down there is no secret to check against: treat as signed out (fail closed).
    if (err instanceof KeyProviderUnavailableError) return false;
    throw err;
  }
  for (const name of SESSION_COOKIES) {
    const token = sessionToken(req, name);
    if (!token) continue;
    try {
      const jwt = await decode({ token, secret });
      if (typeof jwt?.uid === "string") return true;
    } catch {
      // Not a token of ours (garbage, another secret, expired): no session.
    }
  }
  return false;
}
