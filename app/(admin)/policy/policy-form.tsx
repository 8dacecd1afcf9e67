"use client";
import { useActionState } from "react";
import { Checkbox, Field } from "@/components/field";
import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { initialFormState, submitted } from "@/lib/forms/form-state";
import { updatePolicyAction } from "./actions";

export interface PolicyValues {
  maxTtlSeconds: number;
  defaultTtlSeconds: number;
  requireJustification: boolean;
  minJustificationLength: number;
  singleUseByDefault: boolean;
  rotationPeriodDays: number;
  approvalSecretIds: string[];
  approvalTags: string[];
  approvalsRequired: number;
}

export function PolicyForm({ policy, secrets, canWrite }: { policy: PolicyValues; secrets: { id: string; label: string }[]; canWrite: boolean }) {
  const [state, action] = useActionState(updatePolicyAction, initialFormState);
  const e = state.fieldErrors ?? {};
  // After a refusal, show what was submitted rather than the saved policy.
  const v = (name: keyof PolicyValues) => submitted(state, name, String(policy[name]));
  const checked = (name: keyof PolicyValues) => (state.values ? submitted(state, name, "0") === "1" : (policy[name] as boolean));
  return (
    <form action={action} className="space-y-6">
      <fieldset disabled={!canWrite} className="card grid gap-4 md:grid-cols-2">
        <legend className="px-1 font-semibold">Leases</legend>
        <Field label="Maximum TTL (seconds)" name="maxTtlSeconds" errors={e.maxTtlSeconds} hint="Longer requests are clamped to this.">
          {(p) => <input {...p} inputMode="numeric" defaultValue={v("maxTtlSeconds")} className="input" />}
        </Field>
        <Field label="Default TTL (seconds)" name="defaultTtlSeconds" errors={e.defaultTtlSeconds} hint="When a bot asks for none.">
          {(p) => <input {...p} inputMode="numeric" defaultValue={v("defaultTtlSeconds")} className="input" />}
        </Field>
        <Checkbox name="requireJustification" label="Justification required" defaultChecked={checked("requireJustification")} />
        <Field label="Minimum justification length" name="minJustificationLength" errors={e.minJustificationLength}>
          {(p) => <input {...p} inputMode="numeric" defaultValue={v("minJustificationLength")} className="input" />}
        </Field>
        <Checkbox name="singleUseByDefault" label="Single-use by default" defaultChecked={checked("singleUseByDefault")} hint="Leases resolve once unless the bot asks otherwise." />
        <Field label="Rotation period (days)" name="rotationPeriodDays" errors={e.rotationPeriodDays} hint="Older secrets are flagged as due for rotation.">
          {(p) => <input {...p} inputMode="numeric" defaultValue={v("rotationPeriodDays")} className="input" />}
        </Field>
      </fieldset>
      <fieldset disabled={!canWrite} className="card grid gap-4 md:grid-cols-2">
        <legend className="px-1 font-semibold">Approval rules</legend>
        <p className="text-sm text-slate-600 md:col-span-2">
          Leases of these secrets, or of secrets carrying these tags, wait for a human approval: the bot gets <code>202 pending</code> and collects its token once approved.
        </p>
        <Field label="Secrets needing approval" name="approvalSecretIds" errors={e.approvalSecretIds} hint="Hold Ctrl/⌘ to choose several.">
          {(p) => (
            <>
              {/* Sent first so that choosing none clears the list, while a request without the field leaves it alone. */}
              <input type="hidden" name="approvalSecretIds" value="" />
              <select {...p} multiple defaultValue={state.values?.approvalSecretIds ?? policy.approvalSecretIds} className="input min-h-28">
                {secrets.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.label}
                  </option>
                ))}
              </select>
            </>
          )}
        </Field>
        <div className="space-y-4">
          <Field label="Tags needing approval" name="approvalTags" errors={e.approvalTags} hint="Comma-separated, e.g. pci, production">
            {(p) => <input {...p} defaultValue={submitted(state, "approvalTags", policy.approvalTags.join(", "))} className="input" />}
          </Field>
          <Field label="Approvals required" name="approvalsRequired" errors={e.approvalsRequired} hint="Distinct approvers, at least 1; whoever created the bot, issued its token, granted the secret or edited its mount never counts.">
            {(p) => <input {...p} inputMode="numeric" defaultValue={v("approvalsRequired")} className="input" />}
          </Field>
        </div>
      </fieldset>
      {canWrite ? (
        <div className="flex flex-wrap items-center gap-3">
          <SubmitButton>Save policy</SubmitButton>
          <FormMessage state={state} />
        </div>
      ) : (
        <p className="text-sm text-slate-600">Only owners can change the policy.</p>
      )}
    </form>
  );
}
