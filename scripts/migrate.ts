// Offline migrations through Prisma's WebAssembly schema engine.
//   tsx scripts/migrate.ts deploy          apply pending migrations to DATABASE_URL
//   tsx scripts/migrate.ts create <name>   write prisma/migrations/<ts>_<name>/migration.sql from schema.prisma
// `create` replays the migrations on a throwaway database it makes beside DATABASE_URL.
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { applyMigrations, diffMigrationsToSchema, MIGRATIONS_DIR } from "../lib/db/schema-engine";
import { withScratchDatabase } from "../lib/db/scratch-database";

const [command, name] = process.argv.slice(2);
const url = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

async function main() {
  if (command === "deploy") {
    const applied = await applyMigrations(url);
    console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
    return;
  }
  if (command === "create" && name && /^[a-z0-9_]+$/.test(name)) {
    const sql = await withScratchDatabase(url, (shadowUrl) => diffMigrationsToSchema(shadowUrl));
    if (!sql) {
      console.log("schema.prisma and the migrations agree; nothing to create");
      return;
    }
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "migration.sql"), sql + "\n");
    const lock = path.join(MIGRATIONS_DIR, "migration_lock.toml");
    if (!existsSync(lock)) writeFileSync(lock, 'provider = "postgresql"\n');
    console.log(`created ${path.relative(process.cwd(), dir)}`);
    return;
  }
  console.error("usage: migrate.ts deploy | create <snake_case_name>");
  process.exit(2);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
