import type { Db } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { mountSelect, presentMount } from "./select";

export type GetMountOptions = { orgId: string; botId?: string } & ({ id: string } | { name: string });

/** By id (admin) or by name; with botId, another bot's mount is simply not found. */
export async function getMountOrThrow(db: Db, opts: GetMountOptions) {
  const mount = await db.mount.findFirst({
    where: {
      orgId: opts.orgId,
      ...("id" in opts ? { id: opts.id } : { name: opts.name }),
      ...(opts.botId ? { botId: opts.botId } : {}),
    },
    select: mountSelect,
  });
  if (!mount) throw new ApiError("not_found", "Mount not found");
  return presentMount(mount);
}
