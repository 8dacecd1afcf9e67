import { readFileSync } from "node:fs";
import { describe, expect, it, inject } from "vitest";
import { diffMigrationsToSchema, SCHEMA_PATH } from "./schema-engine";
import { withScratchDatabase } from "./scratch-database";

describe("committed migrations", () => {
  it("produce exactly the schema in schema.prisma", async () => {
    const drift = await withScratchDatabase(inject("adminUrl"), (url) => diffMigrationsToSchema(url));
    expect(drift, "run `npm run migrate:create <name>` and commit the migration").toBe("");
  });

  it("would notice a model missing from the migrations", async () => {
    const changed = readFileSync(SCHEMA_PATH, "utf8") + "\nmodel DriftProbe {\n  id String @id\n}\n";
    const drift = await withScratchDatabase(inject("adminUrl"), (url) => diffMigrationsToSchema(url, changed));
    expect(drift).toMatch(/CREATE TABLE "DriftProbe"/);
  });
});
