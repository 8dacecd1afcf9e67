"use client";
import { useActionState } from "react";
import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { initialFormState } from "@/lib/forms/form-state";
import { verifyChainAction } from "./actions";

export function VerifyChainButton() {
  const [state, action] = useActionState(verifyChainAction, initialFormState);
  return (
    <form action={action} className="flex flex-wrap items-center gap-2">
      <SubmitButton className="btn">Verify chain</SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
