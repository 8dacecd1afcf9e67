export const grantSelect = {
  id: true,
  botId: true,
  secretId: true,
  maxTtlSeconds: true,
  singleUseOnly: true,
  mountId: true,
  revealToAgent: true,
  createdAt: true,
  bot: { select: { name: true } },
  secret: { select: { name: true, scope: true } },
} as const;
