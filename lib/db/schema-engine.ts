// Drives Prisma's WebAssembly schema engine, so migrations work where the CLI's
// native engine cannot be downloaded. Loaded by hand (not `import "x.wasm"`) so
// Node 20 needs no --experimental-wasm-modules flag.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SchemaEngine as Engine, MigrationList } from "@prisma/schema-engine-wasm";

const require = createRequire(import.meta.url);

export const PRISMA_DIR = path.resolve(process.cwd(), "prisma");
export const MIGRATIONS_DIR = path.join(PRISMA_DIR, "migrations");
export const SCHEMA_PATH = path.join(PRISMA_DIR, "schema.prisma");

let loaded: Promise<typeof import("@prisma/schema-engine-wasm")> | undefined;

function loadEngineModule() {
  loaded ??= (async () => {
    const pkgDir = path.dirname(require.resolve("@prisma/schema-engine-wasm"));
    const bg = await import(path.join(pkgDir, "schema_engine_bg.js"));
    const bytes = readFileSync(path.join(pkgDir, "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
    return bg as typeof import("@prisma/schema-engine-wasm");
  })();
  return loaded;
}

// The engine's catalogue queries return PostgreSQL's one-byte "char" type (OID 18),
// which the pg adapter does not map; its text form is exactly what the engine wants.
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;
function textForChar(result: pg.QueryResult | undefined) {
  for (const field of result?.fields ?? []) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
  return result;
}
class CatalogueClient extends pg.Client {
  // pg.Pool calls query with a callback, the adapter's transactions without: handle both.
  // @ts-expect-error -- pg's overloads cannot be restated; the wrapper only rewrites field types.
  query(...args: unknown[]) {
    const last = args.length - 1;
    if (typeof args[last] === "function") {
      const cb = args[last] as (err: Error | null, res?: pg.QueryResult) => void;
      args[last] = (err: Error | null, res?: pg.QueryResult) => cb(err, textForChar(res));
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    return ((super.query as (...a: unknown[]) => Promise<pg.QueryResult>)(...args)).then(textForChar);
  }
}

type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;

// The adapter splits scripts on every ";", which breaks dollar-quoted function
// bodies; PostgreSQL's simple query protocol runs a whole script as it is.
function wholeScripts(factory: PrismaPg): PrismaPg {
  const patch = (adapter: Adapter) => {
    adapter.executeScript = async (script: string) => {
      await (adapter.underlyingDriver() as pg.Pool).query(script);
    };
    return adapter;
  };
  const connect = factory.connect.bind(factory);
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  factory.connect = async () => patch(await connect());
  factory.connectToShadowDb = async () => patch(await connectToShadowDb());
  return factory;
}

export async function openSchemaEngine(databaseUrl: string): Promise<{ engine: Engine; close(): Promise<void> }> {
  const { SchemaEngine } = await loadEngineModule();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, Client: CatalogueClient as unknown as typeof pg.Client });
  const adapter = bindMigrationAwareSqlAdapterFactory(wholeScripts(new PrismaPg(pool)));
  const datamodel = readFileSync(SCHEMA_PATH, "utf8");
  const log = (msg: string) => {
    if (process.env.RV_DEBUG_MIGRATIONS) console.error(msg);
  };
  const engine = await SchemaEngine.new({ datamodels: [[SCHEMA_PATH, datamodel]] }, log, adapter);
  return {
    engine,
    // engine.free() leaves the pool open, which would pin the database (no DROP, no TEMPLATE).
    async close() {
      engine.free();
      await pool.end();
    },
  };
}

export function readMigrationList(): MigrationList {
  const dirs = existsSync(MIGRATIONS_DIR)
    ? readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  const lockPath = path.join(MIGRATIONS_DIR, "migration_lock.toml");
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((dir) => ({
      path: dir,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok", value: readFileSync(path.join(MIGRATIONS_DIR, dir, "migration.sql"), "utf8") },
      },
    })),
  } as MigrationList;
}

const noFilters = { externalTables: [], externalEnums: [] };

/** Applies every pending migration folder, recording them in _prisma_migrations like `migrate deploy`. */
export async function applyMigrations(databaseUrl: string): Promise<string[]> {
  const { engine, close } = await openSchemaEngine(databaseUrl);
  try {
    const out = await engine.applyMigrations({ migrationsList: readMigrationList(), filters: noFilters });
    return out.appliedMigrationNames;
  } finally {
    await close();
  }
}

/**
 * SQL that would bring the committed migrations up to schema.prisma; empty when
 * they agree. The engine replays the migrations on `shadowUrl`'s database.
 */
export async function diffMigrationsToSchema(shadowUrl: string, datamodel = readFileSync(SCHEMA_PATH, "utf8")): Promise<string> {
  const { engine, close } = await openSchemaEngine(shadowUrl);
  try {
    const result = await engine.diff({
      from: { tag: "migrations", ...readMigrationList() },
      to: { tag: "schemaDatamodel", files: [{ path: SCHEMA_PATH, content: datamodel }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    const sql = (result.stdout ?? "").trim();
    return /^-- This is an empty migration\.?$/.test(sql) ? "" : sql;
  } finally {
    await close();
  }
}
