// Builds one migrated template database per run; each test file clones it
// (CREATE DATABASE … TEMPLATE) so files never share rows.
import { randomBytes } from "node:crypto";
import { applyMigrations } from "../lib/db/schema-engine";
import { createDatabase, dropDatabase } from "../lib/db/scratch-database";

export const ADMIN_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export default async function setup({ provide }: { provide: (key: string, value: unknown) => void }) {
  const template = `rv_tpl_${randomBytes(5).toString("hex")}`;
  const url = await createDatabase(ADMIN_URL, template);
  await applyMigrations(url);
  provide("templateDb", template);
  provide("adminUrl", ADMIN_URL);
  return async () => {
    await dropDatabase(ADMIN_URL, template);
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    templateDb: string;
    adminUrl: string;
  }
}
