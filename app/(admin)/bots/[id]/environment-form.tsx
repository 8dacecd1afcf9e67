"use client";
import { useActionState } from "react";
import { Field } from "@/components/field";
import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { initialFormState, submitted } from "@/lib/forms/form-state";
import { setEnvironmentAction } from "../actions";

/** The bot's environment: the scope its lease requests use when they name none. */
export function EnvironmentForm({ bot }: { bot: { id: string; environment: string } }) {
  const [state, action] = useActionState(setEnvironmentAction, initialFormState);
  const e = state.fieldErrors ?? {};
  return (
    <form action={action} className="flex flex-wrap items-end gap-3" aria-label="Environment" autoComplete="off">
      <input type="hidden" name="id" value={bot.id} />
      <Field label="Environment" name="environment" errors={e.environment} hint="scope used when a lease request names none">
        {(p) => <input {...p} defaultValue={submitted(state, "environment") || bot.environment} className="input" required />}
      </Field>
      <SubmitButton>Save</SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
