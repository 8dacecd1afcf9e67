export const botSelect = {
  id: true,
  name: true,
  description: true,
  frozenAt: true,
  createdAt: true,
} as const;
