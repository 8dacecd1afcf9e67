import type { Role } from "@/lib/generated/prisma/enums";

// What each org role may do. Values are never readable through the admin API at all.
export const PERMISSIONS = {
  "metadata:read": ["owner", "admin", "security", "viewer"],
  "audit:read": ["owner", "admin", "security"],
  "catalogue:write": ["owner", "admin"],
  "bots:write": ["owner", "admin"],
  // Freezing only cuts a bot off (an incident power); unfreezing restores access: bots:write.
  "bots:freeze": ["owner", "admin", "security"],
  "grants:write": ["owner", "admin"],
  "leases:revoke": ["owner", "admin", "security"],
  "approvals:decide": ["owner", "admin"],
  "policy:write": ["owner"],
  // Dropping an approval tag from a secret, deleting a secret under an approval rule.
  "approvals:remove-coverage": ["owner"],
  "members:write": ["owner"],
  // Every member lists, creates and revokes their own API tokens; this is everyone else's.
  "tokens:others": ["owner"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
