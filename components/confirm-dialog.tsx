"use client";
// Every destructive action goes through this: one click opens it, one confirmation
// runs it. `confirmText` makes the user type a name first (deleting a secret or a bot);
// it is sent as `confirm`, and the server action checks it again.
import { useActionState, useEffect, useId, useRef, useState, type ReactNode } from "react";
import { initialFormState, type FormState } from "@/lib/forms/form-state";
import { FormMessage } from "./form-message";
import { SubmitButton } from "./submit-button";

export interface ConfirmDialogProps {
  trigger: string;
  triggerClassName?: string;
  title: string;
  description?: ReactNode;
  action: (state: FormState, formData: FormData) => Promise<FormState>;
  fields?: Record<string, string>;
  confirmLabel?: string;
  confirmText?: string;
  /** Ask for a reason that lands in the audit trail. */
  reason?: "required" | "optional";
  children?: ReactNode;
  disabled?: boolean;
  onDone?: (state: FormState) => void;
}

export function ConfirmDialog({ trigger, triggerClassName = "btn btn-sm", title, description, action, fields = {}, confirmLabel = "Confirm", confirmText, reason, children, disabled, onDone }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [state, formAction] = useActionState(action, initialFormState);
  const [typed, setTyped] = useState("");
  const id = useId();
  useEffect(() => {
    if (state.ok) {
      ref.current?.close();
      onDone?.(state);
    }
    // Only a new result should close the dialog.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);
  return (
    <>
      <button type="button" className={triggerClassName} disabled={disabled} onClick={() => ref.current?.showModal()}>
        {trigger}
      </button>
      <dialog ref={ref} aria-labelledby={`${id}-title`} className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-lg p-0 shadow-xl">
        <form action={formAction} className="space-y-4 p-5">
          <h2 id={`${id}-title`} className="text-lg font-semibold">
            {title}
          </h2>
          {description ? <div className="text-sm text-slate-600">{description}</div> : null}
          {Object.entries(fields).map(([k, v]) => (
            <input key={k} type="hidden" name={k} value={v} />
          ))}
          {children}
          {reason ? (
            <div className="space-y-1">
              <label htmlFor={`${id}-reason`} className="block text-sm font-medium">
                Reason {reason === "optional" ? <span className="font-normal text-slate-500">(optional)</span> : null}
              </label>
              <textarea id={`${id}-reason`} name="reason" rows={2} className="input" required={reason === "required"} minLength={reason === "required" ? 3 : undefined} aria-invalid={!!state.fieldErrors?.reason} />
              {state.fieldErrors?.reason ? <p className="text-xs font-medium text-red-700">{state.fieldErrors.reason.join(" ")}</p> : null}
            </div>
          ) : null}
          {confirmText ? (
            <div className="space-y-1">
              <label htmlFor={`${id}-confirm`} className="block text-sm font-medium">
                Type <code className="rounded bg-slate-100 px-1">{confirmText}</code> to confirm
              </label>
              <input id={`${id}-confirm`} name="confirm" className="input" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} aria-invalid={!!state.fieldErrors?.confirm} />
              {state.fieldErrors?.confirm ? <p className="text-xs font-medium text-red-700">{state.fieldErrors.confirm.join(" ")}</p> : null}
            </div>
          ) : null}
          <FormMessage state={state} />
          <div className="flex justify-end gap-2">
            <button type="button" className="btn" onClick={() => ref.current?.close()}>
              Cancel
            </button>
            <SubmitButton className="btn btn-danger" disabled={!!confirmText && typed !== confirmText}>
              {confirmLabel}
            </SubmitButton>
          </div>
        </form>
      </dialog>
    </>
  );
}
