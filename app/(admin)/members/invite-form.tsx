"use client";
import { useActionState } from "react";
import { Field } from "@/components/field";
import { FormMessage } from "@/components/form-message";
import { ShownOnce } from "@/components/shown-once";
import { SubmitButton } from "@/components/submit-button";
import { initialFormState, submitted } from "@/lib/forms/form-state";
import { ROLES } from "@/lib/validations/member";
import { inviteMemberAction } from "./actions";

export function InviteForm() {
  const [state, action] = useActionState(inviteMemberAction, initialFormState);
  const e = state.fieldErrors ?? {};
  return (
    <form action={action} className="card grid gap-3 md:grid-cols-3" aria-labelledby="invite-heading" autoComplete="off">
      <h2 id="invite-heading" className="font-semibold md:col-span-3">
        Invite a member
      </h2>
      <Field label="Email" name="email" errors={e.email}>
        {(p) => <input {...p} type="email" defaultValue={submitted(state, "email")} className="input" required />}
      </Field>
      <Field label="Name" name="name" errors={e.name}>
        {(p) => <input {...p} defaultValue={submitted(state, "name")} className="input" />}
      </Field>
      <Field label="Role" name="role" errors={e.role}>
        {(p) => (
          <select {...p} className="input" defaultValue={submitted(state, "role", "viewer")}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="flex flex-wrap items-center gap-3 md:col-span-3">
        <SubmitButton>Invite</SubmitButton>
        <FormMessage state={state} />
      </div>
      {state.ok && state.secretOnce ? (
        <div className="md:col-span-3">
          <ShownOnce label="Set-password link" value={state.secretOnce} />
        </div>
      ) : null}
    </form>
  );
}
