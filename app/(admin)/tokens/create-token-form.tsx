"use client";
import { useActionState } from "react";
import { Field } from "@/components/field";
import { FormMessage } from "@/components/form-message";
import { ShownOnce } from "@/components/shown-once";
import { SubmitButton } from "@/components/submit-button";
import { initialFormState, submitted } from "@/lib/forms/form-state";
import { DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS } from "@/lib/validations/api-token";
import { createApiTokenAction } from "./actions";

export function CreateTokenForm() {
  const [state, action] = useActionState(createApiTokenAction, initialFormState);
  const e = state.fieldErrors ?? {};
  return (
    <form action={action} className="card grid gap-3 md:grid-cols-2" aria-labelledby="create-token-heading" autoComplete="off">
      <h2 id="create-token-heading" className="font-semibold md:col-span-2">
        Create an API token
      </h2>
      <Field label="Token name" name="name" errors={e.name} hint="What will use it, e.g. ci-deploy">
        {(p) => <input {...p} defaultValue={submitted(state, "name")} className="input" maxLength={100} required />}
      </Field>
      <Field label="Expires in (days)" name="expiresInDays" errors={e.expiresInDays} hint={`1 to ${MAX_TOKEN_DAYS}`}>
        {(p) => (
          <input {...p} type="number" min={1} max={MAX_TOKEN_DAYS} step={1} defaultValue={submitted(state, "expiresInDays", String(DEFAULT_TOKEN_DAYS))} className="input" required />
        )}
      </Field>
      <div className="flex flex-wrap items-center gap-3 md:col-span-2">
        <SubmitButton>Create token</SubmitButton>
        <FormMessage state={state} />
      </div>
      {state.ok && state.secretOnce ? (
        <div className="md:col-span-2">
          <ShownOnce label="API token" value={state.secretOnce} />
        </div>
      ) : null}
    </form>
  );
}
