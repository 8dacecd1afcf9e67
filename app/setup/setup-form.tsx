"use client";
import { useActionState, useEffect, useState } from "react";
import { signIn } from "next-auth/react";
import { Field } from "@/components/field";
import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { initialFormState, submitted, type FormState } from "@/lib/forms/form-state";
import { completeSetupAction } from "./actions";

/** The token travels in the link's fragment (#token=…), which the browser never sends to a server. */
function takeTokenFromFragment(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!match) return null;
  // Out of the address bar and the history; the page keeps it in memory.
  window.history.replaceState(null, "", window.location.pathname);
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

async function setUp(prev: FormState, fd: FormData): Promise<FormState> {
  const state = await completeSetupAction(prev, fd);
  if (!state.ok) return state;
  // The owner exists now: sign in with what was just typed, as the sign-in page would.
  const res = await signIn("credentials", { email: fd.get("email"), password: fd.get("password"), redirect: false, callbackUrl: "/overview" });
  if (res?.ok && !res.error) {
    // A full navigation, so every server component renders with the new session.
    window.location.assign("/overview");
    return state;
  }
  return { ok: true, message: "Your account is ready, but signing in failed: sign in on the next page.", data: { signIn: true } };
}

export function SetupForm() {
  // undefined until read (the fragment exists only in the browser).
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [state, action] = useActionState(setUp, initialFormState);
  useEffect(() => setToken(takeTokenFromFragment()), []);

  if (token === undefined) return null;
  if (token === null) {
    return (
      <p className="text-sm text-slate-600">
        This link is incomplete. Open the full setup link printed in the console where <code>npm start</code> runs (restart it for a new one).
      </p>
    );
  }
  if (state.ok) {
    return (
      <div className="space-y-3">
        <FormMessage state={state} />
        {state.data?.signIn ? (
          <a href="/sign-in" className="btn btn-primary">
            Sign in
          </a>
        ) : null}
      </div>
    );
  }
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="token" value={token} />
      <Field label="Organization name" name="orgName" errors={state.fieldErrors?.orgName}>
        {(p) => <input {...p} defaultValue={submitted(state, "orgName")} required maxLength={100} className="input" />}
      </Field>
      <Field label="Your email" name="email" errors={state.fieldErrors?.email} hint="You become the organization's owner.">
        {(p) => <input {...p} type="email" defaultValue={submitted(state, "email")} autoComplete="username" required className="input" />}
      </Field>
      <Field label="Password" name="password" errors={state.fieldErrors?.password} hint="At least 12 characters.">
        {(p) => <input {...p} type="password" autoComplete="new-password" required minLength={12} className="input" />}
      </Field>
      <Field label="Repeat it" name="confirm" errors={state.fieldErrors?.confirm}>
        {(p) => <input {...p} type="password" autoComplete="new-password" required className="input" />}
      </Field>
      <FormMessage state={state} />
      <SubmitButton>Create owner and sign in</SubmitButton>
    </form>
  );
}
