// Server actions are POSTs to a page. Next decodes their body (React's reply format)
// before any of our code runs, and answers what it cannot decode, an oversized body or a
// foreign Origin with a 500 and a stack in the log. proxy.ts refuses those first, with a
// 4xx and no log line: this file says what our forms send.
//
// What our forms send (React's encodeReply): a fetch action carries a Next-Action header
// and either one JSON row as the body, or multipart rows named "0", "1", … next to the
// form's fields, which are named "_<n>_<field>". Without JavaScript, a form posts
// multipart with "$ACTION_…" fields (the action and its bound arguments as JSON rows).
// Rows only ever reference form data ("$K…"), other rows of a bound action ("$@…"), or
// hold plain values; references to anything else (streams, maps, promises, temporary or
// server references) are not ours and fail React's decoding.
import type { NextRequest } from "next/server";

/** Next's serverActions.bodySizeLimit (next.config.ts) is this too: refused here first, as a 413. */
export const ACTION_BODY_LIMIT_BYTES = 1024 * 1024;

export interface Refusal {
  status: 400 | 401 | 403 | 404 | 411 | 413;
  message: string;
}

const PLAIN_TAG = /^\$(?:\$|undefined$|K[0-9a-f]+$|D|-0$|NaN$|-?Infinity$)/;
const PROMISE_TAG = /^\$@([0-9a-f]+)$/;
const FETCH_ROW = /^\d+$/;
const MPA_ROW = /^\$ACTION_(\d+):(\d+)$/;
const MPA_CONTROL = /^\$ACTION_(?:REF_(\d+)|ID_[0-9a-f]+|KEY)$/;

const malformed: Refusal = { status: 400, message: "Malformed server action request" };
const unknownAction: Refusal = { status: 404, message: "No such server action on this page" };

/** A JSON row whose references all resolve to something our actions take. */
function validRow(text: unknown, rowExists: ((id: number) => boolean) | null): boolean {
  if (typeof text !== "string") return false;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  const ok = (v: unknown): boolean => {
    if (typeof v === "string") {
      if (!v.startsWith("$") || PLAIN_TAG.test(v)) return true;
      const promise = PROMISE_TAG.exec(v);
      return promise !== null && rowExists !== null && rowExists(parseInt(promise[1], 16));
    }
    if (Array.isArray(v)) return v.every(ok);
    if (v && typeof v === "object") return Object.values(v).every(ok);
    return true;
  };
  try {
    return ok(value);
  } catch {
    return false; // nested deeper than the stack: no form of ours
  }
}

function validFetchRows(form: FormData): boolean {
  let root = false;
  for (const [name, value] of form) {
    if (name.startsWith("_")) continue; // the form's own fields
    if (!FETCH_ROW.test(name) || !validRow(value, null)) return false;
    if (name === "0") root = true;
  }
  return root;
}

/** The action ids a form posted without JavaScript names, or null when its rows are malformed. */
function noScriptActionIds(form: FormData): string[] | null {
  const names = new Set(form.keys());
  const ids: string[] = [];
  for (const [name, value] of form) {
    if (!name.startsWith("$ACTION_")) continue; // the form's own fields
    const control = MPA_CONTROL.exec(name);
    if (control) {
      if (name.startsWith("$ACTION_ID_")) ids.push(name.slice("$ACTION_ID_".length));
      if (control[1] === undefined) continue;
      // A bound action: its id is in its first row.
      const first = form.get(`$ACTION_${control[1]}:0`);
      const id = typeof first === "string" && validRow(first, () => true) ? (JSON.parse(first) as { id?: unknown })?.id : undefined;
      if (typeof id !== "string") return null;
      ids.push(id);
      continue;
    }
    const row = MPA_ROW.exec(name);
    if (!row || !validRow(value, (id) => names.has(`$ACTION_${row[1]}:${id}`))) return null;
  }
  return ids;
}

/** Next compares the Origin with the forwarded or plain Host and fails with a 500 when they differ. */
function sameOrigin(req: NextRequest): boolean {
  const origin = req.headers.get("origin");
  if (origin === null) return true; // not a browser's request: Next lets it through as well
  const host = req.headers.get("x-forwarded-host")?.split(",")[0].trim() || req.headers.get("host");
  try {
    return origin !== "null" && new URL(origin).host === host;
  } catch {
    return false;
  }
}

export interface ActionPage {
  /** For pages whose actions all need a session: without one, the body is never read. */
  signedIn?: () => Promise<boolean>;
  /** The page's action ids, when known (lib/forms/page-actions.ts): others are refused. */
  actionIds?: Set<string> | null;
}

/** Why a POST to a page must not reach Next's action handling, or null when it may. */
export async function actionRequestRefusal(req: NextRequest, { signedIn, actionIds }: ActionPage = {}): Promise<Refusal | null> {
  const length = req.headers.get("content-length");
  if (length === null && req.headers.has("transfer-encoding")) return { status: 411, message: "Send a Content-Length" };
  if (Number(length ?? 0) > ACTION_BODY_LIMIT_BYTES) return { status: 413, message: "Request body is too large" };
  if (!sameOrigin(req)) return { status: 403, message: "Cross-origin server action refused" };
  if (signedIn && !(await signedIn())) return { status: 401, message: "Sign in first" };

  const fetchAction = req.headers.get("next-action");
  const known = (id: string) => !actionIds || actionIds.has(id);
  if (fetchAction !== null && !known(fetchAction)) return unknownAction;
  const multipart = /^multipart\/form-data\b/i.test(req.headers.get("content-type") ?? "");
  if (multipart) {
    let form: FormData;
    try {
      form = await req.clone().formData();
    } catch {
      return malformed;
    }
    if (fetchAction !== null) return validFetchRows(form) ? null : malformed;
    const ids = noScriptActionIds(form);
    if (!ids) return malformed;
    return ids.every(known) ? null : unknownAction;
  }
  if (fetchAction !== null) return validRow(await req.clone().text(), null) ? null : malformed;
  return null; // not an action: Next renders the page
}
