import type { MountMapping } from "@/lib/validations/mount";

export const mountSelect = {
  id: true,
  name: true,
  botId: true,
  command: true,
  args: true,
  mappings: true,
  justificationTemplate: true,
  ttlSeconds: true,
  createdAt: true,
  updatedAt: true,
  bot: { select: { name: true } },
} as const;

/** mappings is JSON in the database; the API always validated it on the way in. */
export function presentMount<T extends { mappings: unknown }>(mount: T): Omit<T, "mappings"> & { mappings: MountMapping[] } {
  return { ...mount, mappings: mount.mappings as MountMapping[] };
}
