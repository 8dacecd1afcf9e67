// Never the password hash or set-password token: members are listed to every admin.
export const memberSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  createdAt: true,
  setPasswordExpiresAt: true,
} as const;
