import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/auth/get-session-user";
import { isOidcConfigured } from "@/lib/auth/auth-options";
import { prisma } from "@/lib/db/prisma";
import { ownerExists } from "@/lib/setup/owner-exists";
import { safeCallbackPath } from "@/lib/auth/safe-callback-path";
import { SignInForm } from "./sign-in-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sign in" };

// Only same-origin paths: never bounce a fresh session to another origin.
function safeCallback(raw: string | string[] | undefined): string {
  return safeCallbackPath(Array.isArray(raw) ? raw[0] : raw);
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  if (await getSessionUser()) redirect(callbackUrl);
  const error = typeof params.error === "string" ? params.error : null;
  // Nobody can sign in yet: say where the way in is. (Database away: no hint; sign-in reports it.)
  const awaitingSetup = !(await ownerExists(prisma).catch(() => true));
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="card w-full max-w-sm space-y-4 p-6">
        <div>
          <h1 className="text-xl font-semibold">Sign in to Runtime Vault</h1>
          <p className="mt-1 text-sm text-slate-600">Use the email and password of your member account.</p>
        </div>
        {awaitingSetup ? (
          <div role="note" data-testid="setup-hint" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            This vault has no owner yet. Look for the setup link in the console where <code>npm start</code> runs and open it to create
            the organization and its owner (each start prints a new one, valid for an hour). Or start with{" "}
            <code>RV_BOOTSTRAP_ADMIN_EMAIL</code> and <code>RV_BOOTSTRAP_ADMIN_PASSWORD</code> set.
          </div>
        ) : null}
        <SignInForm callbackUrl={callbackUrl} oidc={isOidcConfigured() ? process.env.RV_OIDC_NAME || "Single sign-on" : null} initialError={error} />
      </div>
    </main>
  );
}
