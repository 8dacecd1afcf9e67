// POST /api/v1/bots/{id}/freeze — freeze a bot and revoke its active leases
import { setFrozenRoute } from "../../set-frozen-route";

export const POST = setFrozenRoute(true);
