// POST /api/v1/bots/{id}/freeze — freeze a bot and revoke its active leases
import { setFrozenRoute } from "../../set-frozen-route";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const POST = setFrozenRoute(true);

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
