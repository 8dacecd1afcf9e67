import type { FormState } from "@/lib/forms/form-state";

/** The action's outcome, announced to screen readers. */
export function FormMessage({ state }: { state: FormState }) {
  if (!state.message) return null;
  const tone = state.ok ? "border-emerald-200 bg-emerald-50 text-emerald-800" : "border-red-200 bg-red-50 text-red-800";
  return (
    <p role={state.ok ? "status" : "alert"} className={`rounded-md border px-3 py-2 text-sm ${tone}`} data-status={state.status ?? (state.ok ? 200 : undefined)}>
      {state.message}
    </p>
  );
}
