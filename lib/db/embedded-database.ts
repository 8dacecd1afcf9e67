// An embedded PostgreSQL (PGlite, PostgreSQL compiled to WebAssembly) for machines
// without a PostgreSQL server. It runs inside this process and is served over TCP,
// so the app, Prisma's pg adapter and the migration engine connect as to any server.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface EmbeddedDatabaseOptions {
  /** Where the cluster's files live; created (mode 0700) on first start. */
  dataDir?: string;
  /** 0 picks a free port; the chosen one is in `url`. */
  port?: number;
  /**
   * Sockets served at once. PGlite executes one statement at a time whatever this
   * is, but an app pool plus a migration or bootstrap client need several open.
   */
  maxConnections?: number;
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export const DEFAULT_EMBEDDED_DATA_DIR = path.join(".data", "pglite");

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

// PGlite is single-process PostgreSQL with no postmaster.pid guard of its own: two
// processes opening one data dir would corrupt it, so claim it with a pid file.
function claimDataDir(dataDir: string): () => void {
  const lockPath = `${dataDir}.pid`;
  const claim = () => writeFileSync(lockPath, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
  try {
    claim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const holder = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
    if (holder && holder !== process.pid && processAlive(holder)) {
      throw new Error(`embedded database ${dataDir} is in use by process ${holder} (if that is not Runtime Vault, delete ${lockPath})`);
    }
    rmSync(lockPath, { force: true });
    claim();
  }
  return () => rmSync(lockPath, { force: true });
}

export async function startEmbeddedDatabase(opts: EmbeddedDatabaseOptions = {}): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(opts.dataDir ?? DEFAULT_EMBEDDED_DATA_DIR);
  mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o700 });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const release = claimDataDir(dataDir);

  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    // Contrib extensions the migrations create must be loaded here (PGlite ships them
    // as bundles it installs on demand): pg_trgm backs the audit justification search.
    db = await PGlite.create(dataDir, { extensions: { pg_trgm } });
    server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: opts.port ?? 0, maxConnections: opts.maxConnections ?? 20 });
    await server.start();
  } catch (err) {
    await server?.stop().catch(() => {});
    await db?.close().catch(() => {});
    release();
    throw err;
  }

  // PGlite ignores credentials; the URL carries some because clients expect them.
  const url = `postgresql://postgres:postgres@${server.getServerConn()}/postgres`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    stop() {
      stopping ??= (async () => {
        try {
          await server!.stop();
        } finally {
          // close() shuts PostgreSQL down cleanly so the next start needs no recovery.
          await db!.close();
          release();
        }
      })();
      return stopping;
    },
  };
}
