// `npm start`: from a fresh `npm install` to a serving vault. Generates the Prisma
// client and builds when needed, starts an embedded PostgreSQL when DATABASE_URL is
// unset, makes sure a master key exists, migrates, bootstraps (or, with no owner yet,
// prints a one-time setup link), then runs `next start`.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { constants as osConstants } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { keyProviderFromEnv, keyProviderKind, MasterKeyError } from "../lib/crypto/key-provider";
import type { EmbeddedDatabase } from "../lib/db/embedded-database";
import type { PrismaClient } from "../lib/generated/prisma/client";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
process.chdir(ROOT);
const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");

const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
const dataDir = path.resolve(env.RV_DATA_DIR || ".data");
const embedded = !env.DATABASE_URL;

let database: EmbeddedDatabase | undefined;
let server: ChildProcess | undefined;
let signalled: NodeJS.Signals | undefined;
let signalledAt = 0;
let killTimer: NodeJS.Timeout | undefined;

// How long a stop may take before the server is killed. The server ends its event
// streams at once (instrumentation.ts); what remains is requests in flight.
const SHUTDOWN_GRACE_MS = 3_000;
const DUPLICATE_SIGNAL_MS = 500;

function log(message: string) {
  console.log(`[runtime-vault] ${message}`);
}

function fail(message: string): never {
  console.error(`[runtime-vault] ${message}`);
  process.exit(1);
}

/** Paths inside the checkout relative to it, others absolute. */
function shown(p: string): string {
  const rel = path.relative(ROOT, p);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : p;
}

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { stdio: "inherit", env });
  if (result.status !== 0) fail(`\`${[path.basename(command), ...args].join(" ")}\` failed`);
}

/** The dev-mode KEK: generated once into the data dir and reused, like the data beside it. */
function ensureLocalMasterKey(): string {
  const keyPath = path.join(dataDir, "master.key");
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    // "wx": never overwrite a key that already encrypts data, even when two starts race.
    writeFileSync(keyPath, randomBytes(32).toString("base64") + "\n", { mode: 0o600, flag: "wx" });
    log(`generated a master key in ${shown(keyPath)}; back it up, stored secrets cannot be decrypted without it`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    if (statSync(keyPath).mode & 0o077) log(`warning: ${keyPath} is readable by other users; run chmod 600 on it`);
  }
  return keyPath;
}

function checkMasterKey() {
  try {
    // With an HSM (RV_KEY_PROVIDER=pkcs11) no master key is generated: it lives in the HSM.
    if (keyProviderKind(env) === "env" && !env.RV_MASTER_KEY && !env.RV_MASTER_KEY_FILE && embedded) env.RV_MASTER_KEY_FILE = ensureLocalMasterKey();
    // With an external database this is a production start: no key means refuse, never invent one.
    keyProviderFromEnv(env);
  } catch (err) {
    if (err instanceof MasterKeyError) fail(err.message);
    throw err;
  }
}

function buildIfNeeded() {
  if (!existsSync(path.join(ROOT, "lib", "generated", "prisma"))) run("npm", ["run", "generate"]);
  if (env.RV_SKIP_BUILD === "1") return;
  if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) run(process.execPath, [NEXT_BIN, "build"]);
}

async function prepareDatabase(): Promise<string> {
  if (embedded) {
    const { startEmbeddedDatabase } = await import("../lib/db/embedded-database");
    database = await startEmbeddedDatabase({ dataDir: path.join(dataDir, "pglite") });
    env.DATABASE_URL = database.url;
    log(`embedded PostgreSQL (PGlite) in ${shown(path.join(dataDir, "pglite"))}`);
  }
  const url = env.DATABASE_URL!;

  const { applyMigrations } = await import("../lib/db/schema-engine");
  const applied = await applyMigrations(url);
  log(applied.length ? `applied migrations: ${applied.join(", ")}` : "database schema is up to date");

  // Imported only now: these need the generated Prisma client, which may not exist before buildIfNeeded.
  const { createPrismaClient } = await import("../lib/db/prisma");
  const { bootstrap, bootstrapOptionsFromEnv } = await import("../lib/orgs/bootstrap");
  const { setKeyProvider } = await import("../lib/crypto/key-provider");
  // Bootstrap signs the audit chain head with the same key the server will use.
  const keys = keyProviderFromEnv(env);
  setKeyProvider(keys);
  const db = createPrismaClient(url, 2);
  try {
    const opts = bootstrapOptionsFromEnv(env);
    const result = await bootstrap(db, opts);
    if (result.created) {
      log(`bootstrap: created organization ${result.orgId} with owner ${opts.email}${result.apiTokenId ? " and the bootstrap API token" : ""}`);
    } else {
      log(`bootstrap: skipped (${result.reason})`);
    }
    await printSetupLink(db);
  } finally {
    // The server opens its own HSM session; this process keeps none.
    keys.close?.();
    await db.$disconnect();
  }
  return url;
}

// The embedded mode is one machine's vault: reachable from this machine only, unless asked.
const listenHost = () => env.HOSTNAME || (embedded ? "127.0.0.1" : "0.0.0.0");

/** The address to open in a browser on this machine: NEXTAUTH_URL when set, else where we listen. */
function localBase(): string {
  if (env.NEXTAUTH_URL) return env.NEXTAUTH_URL.replace(/\/+$/, "");
  const host = listenHost();
  const shown = ["0.0.0.0", "::", "[::]"].includes(host) ? "localhost" : host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `http://${shown}:${env.PORT || "3000"}`;
}

/**
 * No owner yet (no bootstrap variables): a one-time link, like Vault's `operator init`,
 * where whoever runs this creates the org and its owner in the browser. A new one on
 * every start until then; the previous one stops working. The token is in the URL's
 * fragment, which browsers never send, so it stays out of access logs and Referer headers.
 */
async function printSetupLink(db: PrismaClient) {
  const { issueSetupToken } = await import("../lib/setup/issue-setup-token");
  const issued = await issueSetupToken(db);
  if (!issued) return;
  const minutes = Math.round((issued.expiresAt.getTime() - Date.now()) / 60_000);
  log("");
  log("no owner yet: open this one-time link to create the organization and its owner");
  log(`(valid for ${minutes} minutes, once; every start prints a new one and the old one stops working):`);
  log("");
  log(`    ${localBase()}/setup#token=${issued.token}`);
  log("");
}

async function shutdown(code: number): Promise<never> {
  try {
    await database?.stop();
  } catch (err) {
    console.error(`[runtime-vault] stopping the embedded database failed: ${(err as Error).message}`);
    code ||= 1;
  }
  process.exit(code);
}

/** A stop never hangs: a server still running after the grace period is killed. */
function killServerAfterGrace() {
  killTimer ??= setTimeout(() => {
    log(`the server did not stop within ${SHUTDOWN_GRACE_MS / 1000} s; killing it`);
    server?.kill("SIGKILL");
  }, SHUTDOWN_GRACE_MS);
}

function onSignal(signal: NodeJS.Signals) {
  if (server) {
    // One Ctrl-C can arrive twice (the terminal signals the whole process group, and a
    // wrapper relays it too): only a later one is a second Ctrl-C.
    if (signalled && Date.now() - signalledAt < DUPLICATE_SIGNAL_MS) return;
    // A second Ctrl-C means "now": do not wait for a graceful stop.
    server.kill(signalled ? "SIGKILL" : signal);
    signalled = signal;
    signalledAt = Date.now();
    killServerAfterGrace();
    return;
  }
  signalled = signal;
  void shutdown(128 + (osConstants.signals[signal] ?? 0));
}

function serve() {
  // The server needs neither bootstrap secret; keep them out of its environment.
  const childEnv = { ...env };
  delete childEnv.RV_BOOTSTRAP_ADMIN_PASSWORD;
  delete childEnv.RV_BOOTSTRAP_API_TOKEN;
  const port = env.PORT || "3000";
  const host = listenHost();
  // Not defaulted from the port: the public address is not known here (a proxy with TLS,
  // another host name, 127.0.0.1 vs localhost), and a wrong one breaks sign-out and SSO.
  if (!env.NEXTAUTH_URL && !embedded) {
    log("NEXTAUTH_URL is unset: sign-in takes the app's address from each request's Host header; set it to the public URL in production");
  }
  server = spawn(process.execPath, [NEXT_BIN, "start", "-p", port, "-H", host], { stdio: "inherit", env: childEnv });
  log(`open ${localBase()}/ in your browser`);
  server.on("exit", (code, signal) => {
    void shutdown(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 1));
  });
}

async function main() {
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  checkMasterKey();
  buildIfNeeded();
  await prepareDatabase();
  if (signalled) return;
  serve();
}

main().catch((err) => {
  console.error(`[runtime-vault] start failed: ${err instanceof Error ? err.message : String(err)}`);
  void shutdown(1);
});
