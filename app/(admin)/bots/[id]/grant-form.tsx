"use client";
import { useActionState } from "react";
import { Checkbox, Field } from "@/components/field";
import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { initialFormState, submitted } from "@/lib/forms/form-state";
import { createGrantAction } from "../actions";

export const REVEAL_WARNING =
  "Warning: vault_read then returns the plaintext itself, so the agent's conversation (and every log of it) will hold the secret. Leave off to give the agent {{secret:NAME}} references only.";

export function GrantForm({ botId, secrets }: { botId: string; secrets: { id: string; label: string }[] }) {
  const [state, action] = useActionState(createGrantAction, initialFormState);
  const e = state.fieldErrors ?? {};
  if (secrets.length === 0) {
    return (
      <div className="space-y-2">
        <FormMessage state={state} />
        <p className="text-sm text-slate-600">Every secret in the catalogue is already granted to this bot, or the catalogue is empty.</p>
      </div>
    );
  }
  return (
    <form action={action} className="grid items-start gap-3 md:grid-cols-6" aria-label="Grant a secret">
      <input type="hidden" name="botId" value={botId} />
      {/* Half the row: secret names and scopes are long, and a cut-off option cannot be told apart. */}
      <Field label="Secret" name="secretId" errors={e.secretId} className="md:col-span-3">
        {(p) => (
          <select {...p} className="input" defaultValue={submitted(state, "secretId")} required>
            {secrets.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Max TTL (seconds)" name="maxTtlSeconds" errors={e.maxTtlSeconds} hint="Empty: the policy's maximum">
        {(p) => <input {...p} inputMode="numeric" defaultValue={submitted(state, "maxTtlSeconds")} className="input" placeholder="e.g. 900" />}
      </Field>
      <div className="pt-6">
        <Checkbox name="singleUseOnly" label="Single-use only" hint="Each lease resolves once." defaultChecked={submitted(state, "singleUseOnly", "0") === "1"} />
      </div>
      <div className="md:col-span-4">
        <Checkbox
          name="revealToAgent"
          label="Reveal the value to the agent"
          hint={REVEAL_WARNING}
          defaultChecked={submitted(state, "revealToAgent", "0") === "1"}
        />
      </div>
      <div className="flex flex-wrap items-center gap-2 pt-6">
        <SubmitButton>Grant</SubmitButton>
      </div>
      <div className="md:col-span-6">
        <FormMessage state={state} />
      </div>
    </form>
  );
}
