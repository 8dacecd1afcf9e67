"use client";
import { useActionState, useEffect, useRef } from "react";
import { Field } from "@/components/field";
import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { initialFormState, submitted } from "@/lib/forms/form-state";
import { createSecretAction } from "./actions";

export function CreateSecretForm() {
  const [state, action] = useActionState(createSecretAction, initialFormState);
  const e = state.fieldErrors ?? {};
  // The value is never echoed by the server (write-only), and React resets the form after
  // every submission; so the browser keeps its own copy and puts it back after a refusal.
  const value = useRef<HTMLTextAreaElement>(null);
  const kept = useRef("");
  useEffect(() => {
    if (state.ok) kept.current = "";
    else if (value.current && kept.current) value.current.value = kept.current;
  }, [state]);
  return (
    <form action={action} onSubmit={() => (kept.current = value.current?.value ?? "")} className="card grid gap-3 md:grid-cols-2" aria-labelledby="create-secret-heading" autoComplete="off">
      <h2 id="create-secret-heading" className="font-semibold md:col-span-2">
        Add a secret
      </h2>
      <Field label="Name" name="name" errors={e.name} hint="UPPER_SNAKE_CASE, e.g. ACCOUNTING_API_KEY">
        {(p) => <input {...p} defaultValue={submitted(state, "name")} className="input font-mono" required />}
      </Field>
      <Field label="Scope" name="scope" errors={e.scope} hint="e.g. production; defaults to “default”">
        {(p) => <input {...p} defaultValue={submitted(state, "scope")} className="input" placeholder="default" />}
      </Field>
      <Field label="Description" name="description" errors={e.description}>
        {(p) => <input {...p} defaultValue={submitted(state, "description")} className="input" />}
      </Field>
      <Field label="Tags" name="tags" errors={e.tags} hint="Comma-separated, lower-case; approval rules can match them">
        {(p) => <input {...p} defaultValue={submitted(state, "tags")} className="input" placeholder="finance, pci" />}
      </Field>
      <div className="md:col-span-2">
        <Field label="Value" name="value" errors={e.value} hint="Write-only: sealed on save and never shown again, not even to owners.">
          {(p) => <textarea {...p} ref={value} rows={2} className="input font-mono" autoComplete="off" spellCheck={false} required data-1p-ignore />}
        </Field>
      </div>
      <div className="flex flex-wrap items-center gap-3 md:col-span-2">
        <SubmitButton>Add secret</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
