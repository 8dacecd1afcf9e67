"use client";
import Link from "next/link";
import { useActionState } from "react";
import { Field } from "@/components/field";
import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { initialFormState } from "@/lib/forms/form-state";
import { setPasswordAction } from "./actions";

export function SetPasswordForm({ token }: { token: string }) {
  const [state, action] = useActionState(setPasswordAction, initialFormState);
  if (state.ok) {
    return (
      <div className="space-y-3">
        <FormMessage state={state} />
        <Link href="/sign-in" className="btn btn-primary">
          Sign in
        </Link>
      </div>
    );
  }
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="token" value={token} />
      <Field label="New password" name="password" errors={state.fieldErrors?.password} hint="At least 12 characters.">
        {(p) => <input {...p} type="password" autoComplete="new-password" className="input" />}
      </Field>
      <Field label="Repeat it" name="confirm" errors={state.fieldErrors?.confirm}>
        {(p) => <input {...p} type="password" autoComplete="new-password" className="input" />}
      </Field>
      <FormMessage state={state} />
      <SubmitButton>Set password</SubmitButton>
    </form>
  );
}
