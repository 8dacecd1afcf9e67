"use client";
import { useState } from "react";
import { signIn } from "next-auth/react";

const MESSAGES: Record<string, string> = {
  CredentialsSignin: "Email or password is incorrect.",
  AccessDenied: "No member account matches that identity. Ask an owner to invite you.",
  TooManyAttempts: "Too many sign-in attempts. Wait a few minutes, then try again.",
  Busy: "The server is busy. Try again in a moment.",
  SignInUnavailable: "Sign-in is unavailable right now. Try again later.",
};

export function SignInForm({ callbackUrl, oidc, initialError }: { callbackUrl: string; oidc: string | null; initialError: string | null }) {
  const [error, setError] = useState<string | null>(initialError ? (MESSAGES[initialError] ?? "Sign-in failed.") : null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="space-y-4">
      <form
        className="space-y-3"
        onSubmit={async (e) => {
          e.preventDefault();
          const fd = new FormData(e.currentTarget);
          setBusy(true);
          setError(null);
          const res = await signIn("credentials", { email: fd.get("email"), password: fd.get("password"), redirect: false, callbackUrl });
          if (res?.ok && !res.error) {
            // A full navigation, so every server component renders with the new session.
            window.location.assign(callbackUrl);
            return;
          }
          setBusy(false);
          setError(MESSAGES[res?.error ?? ""] ?? "Email or password is incorrect.");
        }}
      >
        <div className="space-y-1">
          <label htmlFor="email" className="block text-sm font-medium">
            Email
          </label>
          <input id="email" name="email" type="email" autoComplete="username" required className="input" />
        </div>
        <div className="space-y-1">
          <label htmlFor="password" className="block text-sm font-medium">
            Password
          </label>
          <input id="password" name="password" type="password" autoComplete="current-password" required className="input" />
        </div>
        {error ? (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {error}
          </p>
        ) : null}
        <button type="submit" className="btn btn-primary w-full" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {oidc ? (
        <button type="button" className="btn w-full" onClick={() => signIn("oidc", { callbackUrl })}>
          Continue with {oidc}
        </button>
      ) : null}
    </div>
  );
}
