// Metadata only: list and detail queries never select ciphertext or wrapped keys.
export const secretSelect = {
  id: true,
  name: true,
  scope: true,
  description: true,
  tags: true,
  currentVersion: true,
  createdAt: true,
  rotatedAt: true,
} as const;
