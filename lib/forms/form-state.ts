/** What every server action returns to its form. */
export interface FormState {
  ok?: boolean;
  /** HTTP-like status of a refusal (403, 404, 409…), for the form's message. */
  status?: number;
  message?: string;
  fieldErrors?: Record<string, string[]>;
  /** Shown once after success, e.g. a new bot token; never stored anywhere. */
  secretOnce?: string;
  /** The submitted fields after a refusal, so React's form reset does not wipe them. Never secrets. */
  values?: Record<string, string[]>;
  /** Anything else the form needs to render after success. */
  data?: Record<string, unknown>;
}

export const initialFormState: FormState = {};

/** The value a field should show: what was just submitted (after a refusal), else `fallback`. */
export function submitted(state: FormState, name: string, fallback = ""): string {
  return state.values?.[name]?.at(-1) ?? fallback;
}
