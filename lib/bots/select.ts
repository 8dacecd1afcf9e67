export const botSelect = {
  id: true,
  name: true,
  description: true,
  environment: true,
  frozenAt: true,
  createdAt: true,
} as const;
