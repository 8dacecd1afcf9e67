"use client";
import { useActionState } from "react";
import { Field } from "@/components/field";
import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { initialFormState } from "@/lib/forms/form-state";
import { changePasswordAction, signOutEverywhereAction } from "./actions";

export function ChangePasswordForm() {
  const [state, action] = useActionState(changePasswordAction, initialFormState);
  const e = state.fieldErrors ?? {};
  return (
    <form action={action} className="card max-w-md space-y-3" aria-labelledby="password-heading">
      <h2 id="password-heading" className="font-semibold">
        Change password
      </h2>
      <Field label="Current password" name="current" errors={e.current}>
        {(p) => <input {...p} type="password" autoComplete="current-password" className="input" required />}
      </Field>
      <Field label="New password" name="password" errors={e.password} hint="At least 12 characters. Your other sessions are signed out.">
        {(p) => <input {...p} type="password" autoComplete="new-password" className="input" required />}
      </Field>
      <Field label="Repeat the new password" name="confirm" errors={e.confirm}>
        {(p) => <input {...p} type="password" autoComplete="new-password" className="input" required />}
      </Field>
      <FormMessage state={state} />
      <SubmitButton>Change password</SubmitButton>
    </form>
  );
}

export function SignOutEverywhereForm() {
  const [state, action] = useActionState(signOutEverywhereAction, initialFormState);
  return (
    <form action={action} className="card max-w-md space-y-3" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading" className="font-semibold">
        Sessions
      </h2>
      <p className="text-sm text-slate-600">Ends every session of your account, on every device, this one included.</p>
      <FormMessage state={state} />
      <SubmitButton className="btn btn-danger">Sign out everywhere</SubmitButton>
    </form>
  );
}
