import { NextResponse } from "next/server";
import { withAdmin } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/request";
import { prisma, transaction } from "@/lib/db/prisma";
import { setBotFrozen } from "@/lib/bots/set-bot-frozen";
import { idSchema } from "@/lib/validations/common";
import { freezeBotSchema } from "@/lib/validations/bot";

/** Shared by the freeze and unfreeze routes: freezing is bots:freeze (security too), unfreezing bots:write. */
export function setFrozenRoute(frozen: boolean) {
  return withAdmin(frozen ? "bots:freeze" : "bots:write", async ({ req, admin, actor, params, ip }) => {
    const id = idSchema("bot").parse(params.id);
    const { reason } = await parseBody(req, freezeBotSchema);
    const bot = await transaction(prisma, (tx) => setBotFrozen(tx, { orgId: admin.orgId, id, frozen, actor, reason, ip }));
    return NextResponse.json(bot);
  });
}
