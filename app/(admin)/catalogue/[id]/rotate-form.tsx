"use client";
import { useActionState } from "react";
import { Field } from "@/components/field";
import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { initialFormState } from "@/lib/forms/form-state";
import { rotateSecretAction } from "../actions";

export function RotateForm({ id }: { id: string }) {
  const [state, action] = useActionState(rotateSecretAction, initialFormState);
  return (
    <form action={action} className="card space-y-3" aria-labelledby="rotate-heading" autoComplete="off">
      <h2 id="rotate-heading" className="font-semibold">
        Rotate
      </h2>
      <input type="hidden" name="id" value={id} />
      <Field label="New value" name="value" errors={state.fieldErrors?.value} hint="Stored as a new version; write-only like the first.">
        {(p) => <textarea {...p} rows={2} className="input font-mono" autoComplete="off" spellCheck={false} required data-1p-ignore />}
      </Field>
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton>Rotate value</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
