// One migrated template database per run; every spec clones it (CREATE DATABASE … TEMPLATE).
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { applyMigrations } from "../../lib/db/schema-engine";
import { createDatabase, dropDatabase } from "../../lib/db/scratch-database";

export const ADMIN_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export default async function globalSetup() {
  if (!existsSync(path.join(process.cwd(), ".next", "BUILD_ID"))) {
    throw new Error("no production build: run `npm run build` before `npm run test:e2e`");
  }
  const template = `rv_e2e_tpl_${randomBytes(5).toString("hex")}`;
  const url = await createDatabase(ADMIN_URL, template);
  await applyMigrations(url);
  process.env.RV_E2E_TEMPLATE = template;
  return async () => {
    await dropDatabase(ADMIN_URL, template);
  };
}
