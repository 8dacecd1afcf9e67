// POST /api/v1/bots/{id}/unfreeze — let a frozen bot request leases again
import { setFrozenRoute } from "../../set-frozen-route";
import { otherMethods } from "@/lib/api/method-not-allowed";

export const POST = setFrozenRoute(false);

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
