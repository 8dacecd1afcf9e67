import type { MountMapping } from "@/lib/validations/mount";

export const mountSelect = {
  id: true,
  name: true,
  botId: true,
  command: true,
  args: true,
  url: true,
  headers: true,
  mappings: true,
  justificationTemplate: true,
  ttlSeconds: true,
  createdAt: true,
  updatedAt: true,
  bot: { select: { name: true } },
} as const;

/** mappings and headers are JSON in the database; the API always validated them on the way in. */
export function presentMount<T extends { mappings: unknown; headers: unknown }>(mount: T): Omit<T, "mappings" | "headers"> & { mappings: MountMapping[]; headers: Record<string, string> } {
  return { ...mount, mappings: mount.mappings as MountMapping[], headers: (mount.headers ?? {}) as Record<string, string> };
}
