// Route files export these for the verbs they do not serve: Next's own answer is a
// bare 405 with an empty body, not the API's {"error":{"code","message"}}.
//
//   export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
//
// OPTIONS must always be among them: Next's automatic OPTIONS lists every exported
// verb in Allow, and these 405 handlers would otherwise count as served. HEAD is only
// needed where GET is not served (Next answers HEAD with the GET handler otherwise).
import { errorResponse } from "./errors";

const VERBS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
type Verb = (typeof VERBS)[number];
type Served = Exclude<Verb, "HEAD" | "OPTIONS">;
type Handler = (req: Request) => Response;

/** What a route answers besides `served`; naming a served verb here is a type error. */
type Unserved<S extends Served> = Exclude<Verb, S | ("GET" extends S ? "HEAD" : never)>;

export function allowHeader(served: readonly Served[]): string {
  const allowed = new Set<Verb>([...served, "OPTIONS"]);
  if (allowed.has("GET")) allowed.add("HEAD");
  return VERBS.filter((v) => allowed.has(v)).join(", ");
}

export function methodNotAllowedResponse(method: string, allow: string): Response {
  const head = method === "HEAD";
  const response = head
    ? new Response(null, { status: 405 })
    : errorResponse("method_not_allowed", `${method.slice(0, 16)} is not allowed here; allowed: ${allow}`);
  response.headers.set("allow", allow);
  response.headers.set("cache-control", "no-store");
  return response;
}

export function otherMethods<const S extends Served>(...served: S[]): Record<Unserved<S>, Handler> {
  const allow = allowHeader(served);
  const options: Handler = () => new Response(null, { status: 204, headers: { allow, "cache-control": "no-store" } });
  const refuse: Handler = (req) => methodNotAllowedResponse(req.method, allow);
  return Object.fromEntries(VERBS.map((v) => [v, v === "OPTIONS" ? options : refuse])) as Record<Unserved<S>, Handler>;
}
