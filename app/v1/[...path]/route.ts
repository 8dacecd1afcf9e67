// Any other /v1 path — JSON 404 instead of Next's HTML page (as app/api/[...path])
import { withPublic } from "@/lib/api/handler";
import { ApiError } from "@/lib/api/errors";

const notFound = withPublic(async () => {
  throw new ApiError("not_found", "No such API route");
});

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
// Next would otherwise answer OPTIONS itself with 204 and an Allow list for a route that does not exist.
export { notFound as OPTIONS };
