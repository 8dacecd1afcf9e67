import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/auth/get-session-user";
import { isOidcConfigured } from "@/lib/auth/auth-options";
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
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="card w-full max-w-sm space-y-4 p-6">
        <div>
          <h1 className="text-xl font-semibold">Sign in to Runtime Vault</h1>
          <p className="mt-1 text-sm text-slate-600">Use the email and password of your member account.</p>
        </div>
        <SignInForm callbackUrl={callbackUrl} oidc={isOidcConfigured() ? process.env.RV_OIDC_NAME || "Single sign-on" : null} initialError={error} />
      </div>
    </main>
  );
}
