// POST /api/v1/bots/{id}/unfreeze — let a frozen bot request leases again
import { setFrozenRoute } from "../../set-frozen-route";

export const POST = setFrozenRoute(false);
