// next-auth configuration: email + password against the users table, plus one
// generic OIDC provider when RV_OIDC_* are set. Sessions are JWTs that carry only
// the user id and the id of a server-side session (UserSession), checked on every
// request; the role is reread from the database on every request
// (lib/auth/get-session-user.ts), so a demotion or removal applies at once.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { prisma } from "@/lib/db/prisma";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { transaction } from "@/lib/db/prisma";
import { clientAddress, headersFromRecord } from "@/lib/api/client-address";
import { createSession } from "@/lib/sessions/create-session";
import { findActiveSession } from "@/lib/sessions/find-active-session";
import { revokeSession } from "@/lib/sessions/revoke-sessions";
import { sessionMaxAgeSeconds } from "@/lib/sessions/session-lifetime";
import { authSecret } from "./auth-secret";
import { verifiedOidcEmail, type OidcProfile } from "./oidc-profile";
import { sameOriginRedirect } from "./safe-callback-path";
import { signInLimitsFromEnv } from "./sign-in-throttle";
import { auditSignIn, SignInRefusedError, signInWithPassword } from "./sign-in-with-password";

export const SESSION_ID = Symbol.for("runtime-vault.session-id");

/** A session cookie whose server-side session has ended (signed out, revoked, expired). */
class SessionEndedError extends Error {
  constructor() {
    super("session ended");
    this.name = "SessionEndedError";
  }
}

const credentials = CredentialsProvider({
  id: "credentials",
  name: "Email and password",
  credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
  async authorize(input, req) {
    const email = String(input?.email ?? "").trim().toLowerCase().slice(0, 254);
    const password = String(input?.password ?? "").slice(0, 200);
    if (!email || !password) return null;
    const ip = clientAddress(headersFromRecord(req?.headers));
    try {
      return await signInWithPassword(prisma, { email, password, ip, limits: signInLimitsFromEnv() });
    } catch (err) {
      if (err instanceof SignInRefusedError) throw err;
      // next-auth puts a thrown message into the redirect URL: never an internal one.
      console.error("[runtime-vault] sign-in failed:", (err as Error)?.name, (err as { code?: string })?.code ?? "");
      throw new Error("SignInUnavailable");
    }
  },
});

function oidcProvider(env: Record<string, string | undefined>) {
  const issuer = env.RV_OIDC_ISSUER?.replace(/\/$/, "");
  if (!issuer || !env.RV_OIDC_CLIENT_ID || !env.RV_OIDC_CLIENT_SECRET) return null;
  return {
    id: "oidc",
    name: env.RV_OIDC_NAME || "Single sign-on",
    type: "oauth" as const,
    wellKnown: `${issuer}/.well-known/openid-configuration`,
    issuer,
    clientId: env.RV_OIDC_CLIENT_ID,
    clientSecret: env.RV_OIDC_CLIENT_SECRET,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"] as ("pkce" | "state")[],
    profile(profile: { sub: string; email?: string; name?: string }) {
      return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? null };
    },
  };
}

export function isOidcConfigured(env: Record<string, string | undefined> = process.env): boolean {
  return oidcProvider(env) !== null;
}

/**
 * One line per event, code and error name only. next-auth's own logger prints the whole
 * error with its stack: a garbage session cookie (JWT_SESSION_ERROR) was 14 lines on every
 * request, and messages may quote what the client sent.
 */
const logger: NextAuthOptions["logger"] = {
  error(code, metadata) {
    const err = metadata instanceof Error ? metadata : (metadata as { error?: unknown } | undefined)?.error;
    // An ended session is expected (a stale cookie), not an error worth a line.
    if ((err as Error | undefined)?.name === "SessionEndedError") return;
    console.warn(`[runtime-vault] next-auth ${code}:`, (err as Error | undefined)?.name ?? "");
  },
  warn(code) {
    console.warn(`[runtime-vault] next-auth warning ${code}`);
  },
  debug() {},
};

let cached: NextAuthOptions | undefined;

/** Built on first request, not at import: `next build` must not need the master key. */
export function getAuthOptions(): NextAuthOptions {
  if (cached) return cached;
  // Without NEXTAUTH_URL, take the origin from the request, so the app works on whatever
  // address it is served from. next-auth reads X-Forwarded-Host for it; proxy.ts sets
  // that to the Host header on next-auth's routes, as clients can forge it.
  if (!process.env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST ??= "1";
  const oidc = oidcProvider(process.env);
  cached = {
    secret: authSecret(),
    logger,
    providers: oidc ? [credentials, oidc] : [credentials],
    // The cookie's expiry slides with use; the session row's does not (absolute lifetime).
    session: { strategy: "jwt", maxAge: sessionMaxAgeSeconds() },
    pages: { signIn: "/sign-in", error: "/sign-in" },
    callbacks: {
      // next-auth's default runs `new URL()` on any callbackUrl that is not a path and lets
      // it throw: a sign-in or sign-out body with callbackUrl=foo (or a non-string one in
      // JSON) was a 500. Same-origin targets only, as before. (An unparsable query parameter
      // or cookie stops earlier, in next-auth's own config check: proxy.ts heads those off.)
      // Normalised with the URL parser, so `/\evil.example` and friends count as other origins.
      redirect({ url, baseUrl }) {
        return sameOriginRedirect(url, baseUrl);
      },
      async signIn({ account, profile }) {
        if (account?.provider !== "oidc") return true;
        // Identity-provider sign-in maps onto an existing member by verified email; nobody is created.
        const email = verifiedOidcEmail(profile as OidcProfile | undefined);
        if (!email) return false;
        const member = await prisma.user.findUnique({ where: { email }, select: { id: true, orgId: true, email: true } });
        if (!member) return false;
        await auditSignIn(prisma, member, "success", null, "oidc");
        return true;
      },
      // At sign-in a server-side session is created and named in the cookie; on every later
      // read (pages, actions, /api/auth/session) it must still be active, or next-auth
      // treats the cookie as no session and clears it instead of extending it.
      async jwt({ token, user, account, profile }) {
        if (user && account) {
          if (account.provider === "oidc") {
            // The same verified email signIn accepted; no email, no member.
            const email = verifiedOidcEmail(profile as OidcProfile | undefined);
            const member = email ? await prisma.user.findUnique({ where: { email }, select: { id: true } }) : null;
            token.uid = member?.id;
          } else {
            token.uid = user.id;
          }
          if (typeof token.uid !== "string") throw new SessionEndedError();
          token.sid = (await createSession(prisma, { userId: token.uid })).id;
          return token;
        }
        const active = typeof token.sid === "string" ? await findActiveSession(prisma, { id: token.sid }) : null;
        if (!active || active.userId !== token.uid) throw new SessionEndedError();
        return token;
      },
      async session({ session, token }) {
        // The session id under a symbol: getSessionUser reads it, JSON (/api/auth/session) never shows it.
        return { ...session, user: { ...session.user, id: typeof token.uid === "string" ? token.uid : undefined }, [SESSION_ID]: token.sid };
      },
    },
    events: {
      // Sign-out ends the session on the server too: copies of the cookie stop working.
      async signOut({ token }) {
        if (typeof token?.sid !== "string") return;
        const ended = await revokeSession(prisma, { id: token.sid });
        if (!ended) return;
        await transaction(prisma, (tx) =>
          recordAuditEvent(tx, { orgId: ended.user.orgId, type: "member.signed_out", actor: { type: "user", id: ended.userId }, data: { email: ended.user.email } }),
        );
      },
    },
  };
  return cached;
}
