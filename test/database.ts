// Per-file isolation: a fresh database cloned from the migrated template.
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { createDatabase, dropDatabase } from "../lib/db/scratch-database";
import { createPrismaClient, type PrismaClient } from "../lib/db/prisma";

export interface TestDatabase {
  name: string;
  url: string;
  prisma: PrismaClient;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject("adminUrl");
  const name = `rv_test_${randomBytes(6).toString("hex")}`;
  const url = await createDatabase(adminUrl, name, inject("templateDb"));
  const prisma = createPrismaClient(url, 20);
  return {
    name,
    url,
    prisma,
    async drop() {
      await prisma.$disconnect();
      await dropDatabase(adminUrl, name);
    },
  };
}
