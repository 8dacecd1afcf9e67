"use client";
// The leaked-secret response: revoke every lease of the secret and rotate it in one step.
// The value field is write-only (never echoed back, not even after a refusal).
import { useActionState } from "react";
import { Field } from "@/components/field";
import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { initialFormState, submitted } from "@/lib/forms/form-state";
import { rotateAndRevokeAction } from "../actions";

export function RotateAndRevokeForm({ id, activeLeases, bots }: { id: string; activeLeases: number; bots: { name: string; frozen: boolean }[] }) {
  const [state, action] = useActionState(rotateAndRevokeAction, initialFormState);
  return (
    <form action={action} className="card space-y-3 border-red-200" aria-labelledby="leaked-heading" autoComplete="off">
      <h3 id="leaked-heading" className="font-semibold">
        Leaked? Rotate and revoke
      </h3>
      <p className="text-sm text-slate-600">
        Revokes its {activeLeases} active lease{activeLeases === 1 ? "" : "s"} (and pending requests) and stores the new value as the next version, in one step.{" "}
        {bots.length ? (
          <>
            Next leases of{" "}
            <strong>{bots.map((b) => (b.frozen ? `${b.name} (frozen)` : b.name)).join(", ")}</strong> get the new version.
          </>
        ) : (
          "No bot holds a grant on it."
        )}
      </p>
      <input type="hidden" name="id" value={id} />
      <Field label="New value" name="value" errors={state.fieldErrors?.value} hint="Write-only: stored sealed, never shown again.">
        {(p) => <textarea {...p} rows={2} className="input font-mono" autoComplete="off" spellCheck={false} required data-1p-ignore />}
      </Field>
      <Field label="Reason for revoking" name="reason" errors={state.fieldErrors?.reason}>
        {(p) => <input {...p} key={submitted(state, "reason")} defaultValue={submitted(state, "reason")} className="input" required minLength={3} placeholder="e.g. value pasted in a public CI log" />}
      </Field>
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton className="btn btn-danger">Rotate and revoke</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
