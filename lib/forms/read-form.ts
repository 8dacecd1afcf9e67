// FormData → plain objects shaped like the API's JSON bodies, so the same zod
// schemas validate both. Empty fields become undefined (the schema's defaults apply).
// Every read of an action's form goes through here.
import { notFound } from "next/navigation";

/**
 * The action's argument as the FormData our forms send. A hand-made request can pass
 * anything in its place (`{"get":1}` made fd.get throw: a 500); it gets what Next answers
 * for an action it does not know, a 404.
 */
export function formData(fd: unknown): FormData {
  if (fd instanceof FormData) return fd;
  notFound();
}

export function text(fd: FormData, name: string): string | undefined {
  const v = formData(fd).get(name);
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** A field as sent, empty or not (secret values: every character counts). */
export function raw(fd: FormData, name: string): string | undefined {
  const v = formData(fd).get(name);
  return typeof v === "string" ? v : undefined;
}

/**
 * For updates: a field the form did not send is undefined (left as it is), one it
 * sent empty is "" (cleared). An omitted field must never clear data.
 */
export const sentText = raw;

/** A field left out is undefined; one sent empty is [] (cleared). */
export function list(fd: FormData, name: string): string[] | undefined {
  const values = formData(fd).getAll(name).filter((v): v is string => typeof v === "string");
  if (values.length === 0) return undefined;
  return values.flatMap((v) => v.split(/[,\s]+/)).map((v) => v.trim()).filter(Boolean);
}

/** Numbers stay strings when they are not numbers, so the schema reports them. */
export function int(fd: FormData, name: string): number | string | undefined {
  const v = text(fd, name)?.trim();
  if (v === undefined || v === "") return undefined;
  return /^-?\d+$/.test(v) ? Number(v) : v;
}

/** A checkbox: present → true. Forms send a hidden "0" first so absence means false. */
export function bool(fd: FormData, name: string): boolean {
  const values = formData(fd).getAll(name);
  return values.includes("on") || values.includes("1");
}

/** For updates: a checkbox whose field (the hidden "0" included) was not sent at all is left as it is. */
export function sentBool(fd: FormData, name: string): boolean | undefined {
  return formData(fd).has(name) ? bool(fd, name) : undefined;
}

/** For updates: a multi-select sent with a hidden empty entry first, so "none chosen" differs from "not sent". */
export function sentChoices(fd: FormData, name: string): string[] | undefined {
  if (!formData(fd).has(name)) return undefined;
  return fd.getAll(name).filter((v): v is string => typeof v === "string" && v !== "");
}

// Secret material is never sent back to the browser, not even to refill a form.
const NEVER_ECHOED = new Set(["value", "password", "confirm", "token"]);

export function echo(fd: FormData): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of formData(fd)) {
    if (typeof v !== "string" || NEVER_ECHOED.has(k) || k.startsWith("$ACTION")) continue;
    (out[k] ??= []).push(v);
  }
  return out;
}
