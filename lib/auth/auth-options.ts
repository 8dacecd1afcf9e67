// next-auth configuration: email + password against the users table, plus one
// generic OIDC provider when RV_OIDC_* are set. Sessions are JWTs that carry only
// the user id; the role is reread from the database on every request
// (lib/auth/get-session-user.ts), so a demotion or removal applies at once.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { prisma, transaction } from "@/lib/db/prisma";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { verifyPassword } from "@/lib/users/password";
import { clientAddress, headersFromRecord } from "@/lib/api/client-address";
import { authSecret } from "./auth-secret";
import { verifiedOidcEmail, type OidcProfile } from "./oidc-profile";

// Compared against when the email is unknown, so timing does not reveal which emails exist.
const DUMMY_HASH = "$2b$12$6ioivlGyhoCVY49ysO08pu958FmCskz1JNJeH2vxTq7CSOmmEAYNG";


async function auditSignIn(user: { id: string; orgId: string; email: string }, outcome: "success" | "denied", ip: string | null, method: string) {
  await transaction(prisma, (tx) =>
    recordAuditEvent(tx, {
      orgId: user.orgId,
      type: outcome === "success" ? "member.signed_in" : "member.sign_in_failed",
      actor: { type: "user", id: user.id },
      outcome,
      reason: outcome === "denied" ? "wrong password" : null,
      ip,
      data: { email: user.email, method },
    }),
  );
}

const credentials = CredentialsProvider({
  id: "credentials",
  name: "Email and password",
  credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
  async authorize(input, req) {
    const email = String(input?.email ?? "").trim().toLowerCase().slice(0, 254);
    const password = String(input?.password ?? "").slice(0, 200);
    if (!email || !password) return null;
    const user = await prisma.user.findUnique({ where: { email }, select: { id: true, orgId: true, email: true, name: true, passwordHash: true } });
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    const ip = clientAddress(headersFromRecord(req?.headers));
    if (!user) return null;
    await auditSignIn(user, ok ? "success" : "denied", ip, "password");
    return ok ? { id: user.id, email: user.email, name: user.name } : null;
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
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/sign-in", error: "/sign-in" },
    callbacks: {
      // next-auth's default runs `new URL()` on any callbackUrl that is not a path and lets
      // it throw: a sign-in or sign-out body with callbackUrl=foo (or a non-string one in
      // JSON) was a 500. Same-origin targets only, as before. (An unparsable query parameter
      // or cookie stops earlier, in next-auth's own config check: proxy.ts heads those off.)
      redirect({ url, baseUrl }) {
        if (typeof url !== "string") return baseUrl;
        if (url.startsWith("/")) return `${baseUrl}${url}`;
        try {
          return new URL(url).origin === baseUrl ? url : baseUrl;
        } catch {
          return baseUrl;
        }
      },
      async signIn({ account, profile }) {
        if (account?.provider !== "oidc") return true;
        // Identity-provider sign-in maps onto an existing member by verified email; nobody is created.
        const email = verifiedOidcEmail(profile as OidcProfile | undefined);
        if (!email) return false;
        const member = await prisma.user.findUnique({ where: { email }, select: { id: true, orgId: true, email: true } });
        if (!member) return false;
        await auditSignIn(member, "success", null, "oidc");
        return true;
      },
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
        }
        return token;
      },
      async session({ session, token }) {
        return { ...session, user: { ...session.user, id: typeof token.uid === "string" ? token.uid : undefined } };
      },
    },
  };
  return cached;
}
