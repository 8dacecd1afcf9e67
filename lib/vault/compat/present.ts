// The reference API's answer shapes (snake_case, ids as we issue them).
export const compatSecret = (s: { id: string; name: string; createdAt: Date }) => ({ id: s.id, name: s.name, created_at: s.createdAt.toISOString() });

export const compatGrant = (g: { id: string; botId: string; secretId: string; createdAt: Date }) => ({
  grant_id: g.id,
  agent_id: g.botId,
  secret_id: g.secretId,
  created_at: g.createdAt.toISOString(),
});
