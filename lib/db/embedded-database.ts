// An embedded PostgreSQL (PGlite, PostgreSQL compiled to WebAssembly) for machines
// without a PostgreSQL server. It runs inside this process and is served on a Unix
// socket, so the app, Prisma's pg adapter and the migration engine connect as to any
// server, and nobody else can: PGlite has no authentication, so the socket lives in
// a directory only this user can enter.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { EmbeddedSocketServer } from "./embedded-socket-server";

export interface EmbeddedDatabaseOptions {
  /** Where the cluster's files live; created (mode 0700) on first start. */
  dataDir?: string;
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
const openHere = new Set<string>();

function claimDataDir(dataDir: string): () => void {
  const lockPath = `${dataDir}.pid`;
  if (openHere.has(dataDir)) throw new EmbeddedDatabaseInUse(`embedded database ${dataDir} is in use by process ${process.pid} (this one)`);
  const claim = () => writeFileSync(lockPath, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
  try {
    claim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const holder = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
    if (holder && holder !== process.pid && processAlive(holder)) {
      throw new EmbeddedDatabaseInUse(`embedded database ${dataDir} is in use by process ${holder} (if that is not Runtime Vault, delete ${lockPath})`);
    }
    rmSync(lockPath, { force: true });
    claim();
  }
  openHere.add(dataDir);
  return () => {
    openHere.delete(dataDir);
    rmSync(lockPath, { force: true });
  };
}

export class EmbeddedDatabaseInUse extends Error {}

// Unix socket paths are limited to about 100 bytes; a deep data dir gets a private temp dir.
const MAX_SOCKET_PATH = 100;

/** A 0700 directory for the socket, and how to remove it afterwards. */
function socketDirectory(dataDir: string): { dir: string; remove: () => void } {
  const dir = `${dataDir}.sock`;
  if (path.join(dir, ".s.PGSQL.5432").length <= MAX_SOCKET_PATH) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    // A socket left by a crashed start would make listen() fail with EADDRINUSE.
    rmSync(path.join(dir, ".s.PGSQL.5432"), { force: true });
    return { dir, remove: () => rmSync(path.join(dir, ".s.PGSQL.5432"), { force: true }) };
  }
  const tmp = mkdtempSync(path.join(tmpdir(), "rv-pg-"));
  return { dir: tmp, remove: () => rmSync(tmp, { recursive: true, force: true }) };
}

export async function startEmbeddedDatabase(opts: EmbeddedDatabaseOptions = {}): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(opts.dataDir ?? DEFAULT_EMBEDDED_DATA_DIR);
  mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o700 });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const release = claimDataDir(dataDir);
  const socket = socketDirectory(dataDir);

  let db: PGlite | undefined;
  let server: EmbeddedSocketServer | undefined;
  try {
    // Contrib extensions the migrations create must be loaded here (PGlite ships them
    // as bundles it installs on demand): pg_trgm backs the audit justification search.
    db = await PGlite.create(dataDir, { extensions: { pg_trgm } });
    server = new EmbeddedSocketServer({ db, path: path.join(socket.dir, ".s.PGSQL.5432") });
    await server.start();
  } catch (err) {
    await server?.stop().catch(() => {});
    await db?.close().catch(() => {});
    socket.remove();
    release();
    throw err;
  }

  // libpq's form for a socket directory; PGlite ignores the user name.
  const url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socket.dir)}`;
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
          socket.remove();
          release();
        }
      })();
      return stopping;
    },
  };
}

/**
 * For maintenance commands (key rewrap): the embedded database a running `npm start`
 * serves, through its socket, or else one started here for the command's duration.
 */
export async function openEmbeddedDatabase(opts: EmbeddedDatabaseOptions = {}): Promise<EmbeddedDatabase> {
  try {
    return await startEmbeddedDatabase(opts);
  } catch (err) {
    const dataDir = path.resolve(opts.dataDir ?? DEFAULT_EMBEDDED_DATA_DIR);
    const socketDir = `${dataDir}.sock`;
    if (!(err instanceof EmbeddedDatabaseInUse) || !existsSync(path.join(socketDir, ".s.PGSQL.5432"))) throw err;
    return { url: `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`, stop: async () => {} };
  }
}
