// What a listing may show of a token: never its hash (the token itself is never stored).
export const apiTokenSelect = {
  id: true,
  name: true,
  userId: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
  createdByTokenId: true,
  user: { select: { email: true } },
} as const;

export type ApiTokenStatus = "active" | "expired" | "revoked";

interface SelectedToken {
  id: string;
  name: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdByTokenId: string | null;
  user: { email: string };
}

export function presentApiToken({ user, ...t }: SelectedToken, now = new Date()) {
  const status: ApiTokenStatus = t.revokedAt ? "revoked" : t.expiresAt && t.expiresAt <= now ? "expired" : "active";
  return { ...t, userEmail: user.email, status };
}

export type ApiTokenView = ReturnType<typeof presentApiToken>;
